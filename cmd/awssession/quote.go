package main

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The quoting of each shell format, and the values a format refuses. A
// reader of the output must give back every value as it was and run no
// part of it (TestFormatsInRealShells has the real readers check).

// quoteSh single-quotes s for sh, bash and zsh: every byte is literal
// inside single quotes except the quote itself, written '\”.
func quoteSh(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// quoteFish single-quotes s for fish, where \\ and \' are the only escapes
// inside single quotes.
func quoteFish(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// quotePowerShell quotes s for PowerShell in ASCII alone: a quote is
// doubled in a single-quoted string, and every other character outside
// ASCII is written as [char]::ConvertFromUtf32(0x...). PowerShell takes
// the typographic quotes (U+2018-U+201B) as quotes too, and Windows
// PowerShell reads a script without a BOM in the ANSI code page, where
// the UTF-8 bytes of, say, "ё" (D1 91) read as "Ñ‘": any non-ASCII byte
// could end the string. In ASCII the text reads the same in every code
// page. Invalid UTF-8, which no PowerShell string holds, is refused by
// checkPowerShell.
func quotePowerShell(s string) string {
	var parts []string
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, "'"+lit.String()+"'")
			lit.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '\'':
			lit.WriteString("''")
		case r < utf8.RuneSelf:
			lit.WriteRune(r)
		default:
			flush()
			parts = append(parts, fmt.Sprintf("[char]::ConvertFromUtf32(0x%X)", r))
		}
	}
	flush()
	switch len(parts) {
	case 0:
		return "''"
	case 1:
		return parts[0]
	}
	return "(" + strings.Join(parts, " + ") + ")"
}

// checkPowerShell refuses what quotePowerShell cannot write: NUL and
// invalid UTF-8.
func checkPowerShell(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("not valid UTF-8, which PowerShell cannot hold; use --format json")
	}
	return checkNoNUL(v)
}

// quoteDotenv single-quotes s: inside single quotes sh, bash and zsh
// (set -a; . FILE), docker compose, python-dotenv, the Node and Go dotenv
// packages and systemd all read every character as itself, and none
// expands $(...), ${...} or backquotes. checkDotenv refuses the values
// they would read differently.
func quoteDotenv(s string) string {
	return "'" + s + "'"
}

// checkDotenv refuses values single quotes cannot carry for every dotenv
// reader: a quote (sh has no escape inside single quotes, the others
// read \' ), a backslash (python-dotenv reads \\ as one), control
// characters (line breaks end an entry for most readers) and ${
// (python-dotenv expands ${NAME} even inside single quotes).
func checkDotenv(v string) error {
	if strings.ContainsFunc(v, func(r rune) bool { return r == '\'' || r == '\\' || r < 0x20 || r == 0x7f }) || strings.Contains(v, "${") {
		return errors.New("holds a quote, backslash, control character or ${, which dotenv files cannot carry safely; use --format json or bash")
	}
	return nil
}

// checkNoNUL refuses a value with NUL: no environment variable holds one,
// and shells drop or stop at it.
func checkNoNUL(v string) error {
	if strings.IndexByte(v, 0) >= 0 {
		return errors.New("holds a NUL byte, which no environment variable can hold")
	}
	return nil
}
