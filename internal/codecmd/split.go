package codecmd

import (
	"errors"
	"strings"
)

// Split splits a command line into words, the way a POSIX shell
// splits a simple command, without the rest of a shell: words are
// separated by unquoted blanks; 'single quotes' keep everything inside
// literally; "double quotes" keep everything but \" and \\, which stand
// for " and \; outside quotes a backslash makes the next character
// literal. Nothing else is special: no variables, globs, pipes,
// redirections or ';', so a command line cannot run a second command.
// On Windows, put paths with backslashes in single quotes.
func Split(line string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\\':
			if i+1 == len(line) {
				return nil, errors.New("ends with a lone backslash")
			}
			i++
			w.WriteByte(line[i])
			inWord = true
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unbalanced single quote")
			}
			w.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			closed := false
			for i++; i < len(line); i++ {
				if line[i] == '"' {
					closed = true
					break
				}
				if line[i] == '\\' && i+1 < len(line) && (line[i+1] == '"' || line[i+1] == '\\') {
					i++
				}
				w.WriteByte(line[i])
			}
			if !closed {
				return nil, errors.New("unbalanced double quote")
			}
			inWord = true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	if len(words) == 0 {
		return nil, errors.New("empty command")
	}
	return words, nil
}
