package configfile

import (
	"fmt"
	"strings"
)

// File is a config file read for editing: its lines, each kept byte for
// byte until an edit replaces it. It is not safe for concurrent use.
type File struct {
	lines []line
}

// KeyValue is a property to set.
type KeyValue struct {
	Key, Value string
}

// Parse reads a config file's bytes. Any bytes parse: lines the SDK would
// ignore are kept as they are.
func Parse(b []byte) *File { return &File{lines: splitLines(b)} }

// Bytes returns the file's content.
func (f *File) Bytes() []byte {
	var b strings.Builder
	for _, l := range f.lines {
		b.WriteString(l.raw)
	}
	return []byte(b.String())
}

// Sections returns the names of the file's sections in the order they
// first appear, each once, as the SDK names them: "default",
// "profile dev", "sso-session corp", "services local".
func (f *File) Sections() []string {
	var names []string
	seen := map[string]bool{}
	for _, b := range blocks(f.lines) {
		if !seen[b.name] {
			seen[b.name] = true
			names = append(names, b.name)
		}
	}
	return names
}

// Has reports whether the file has the section.
func (f *File) Has(section string) bool {
	for _, b := range blocks(f.lines) {
		if b.name == section {
			return true
		}
	}
	return false
}

// Get returns the value of key (case-insensitive) in section as the SDK
// reads it: the last one wins, also across repeated [section] headers;
// a key with sub-properties has the value "".
func (f *File) Get(section, key string) (string, bool) {
	e, ok := f.find(section, strings.ToLower(key))
	return e.value, ok
}

// find returns the entry of key in section that the SDK takes.
func (f *File) find(section, key string) (entry, bool) {
	var found entry
	ok := false
	for _, b := range blocks(f.lines) {
		if b.name != section {
			continue
		}
		for _, e := range b.entries {
			if e.key == key {
				found, ok = e, true
			}
		}
	}
	return found, ok
}

// Set sets the keys of section, in order, and adds the section at the end
// of the file when it has none. A key already set to the value is left as
// it is written; one set to another value has its line replaced (its
// inline comment kept, its sub-properties dropped); a new key goes after
// the section's last property. It refuses a section name, key or value
// the SDK would not read back as given, and then changes nothing.
func (f *File) Set(section string, kvs ...KeyValue) error {
	if err := checkSection(section); err != nil {
		return err
	}
	for _, kv := range kvs {
		if err := checkProperty(kv); err != nil {
			return fmt.Errorf("[%s]: %w", section, err)
		}
	}
	if !f.Has(section) {
		f.appendSection(section, kvs)
		return nil
	}
	for _, kv := range kvs {
		f.set(section, kv)
	}
	return nil
}

func (f *File) set(section string, kv KeyValue) {
	e, ok := f.find(section, kv.Key)
	switch {
	case ok && e.value == kv.Value && e.sub == nil && e.end == e.start+1:
		return
	case ok:
		first, last := f.lines[e.start], f.lines[e.end-1]
		text := first.text()
		indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
		comment := ""
		if first.kind == propertyLine {
			comment = text[len(trimPropertyComment(text)):]
		}
		f.splice(e.start, e.end, indent+kv.Key+" = "+kv.Value+comment+last.ending())
		return
	}
	var at int
	for _, b := range blocks(f.lines) {
		if b.name == section {
			at = b.contentEnd
		}
	}
	f.terminate(at - 1)
	f.splice(at, at, kv.Key+" = "+kv.Value+f.newline())
}

// appendSection adds [section] with kvs at the end, after a blank line.
func (f *File) appendSection(section string, kvs []KeyValue) {
	nl := f.newline()
	var add []string
	if n := len(f.lines); n > 0 {
		f.terminate(n - 1)
		if f.lines[n-1].kind != blankLine {
			add = append(add, nl)
		}
	}
	add = append(add, "["+section+"]"+nl)
	for _, kv := range kvs {
		add = append(add, kv.Key+" = "+kv.Value+nl)
	}
	f.splice(len(f.lines), len(f.lines), add...)
}

// Remove removes every [section] block: its header and its lines up to
// its last property, and the blank line that set it apart from the line
// above (or, at the top of the file, from the line below). Comments and
// blank lines after its last property stay: they usually introduce the
// next section. It reports whether there was one.
func (f *File) Remove(section string) bool {
	bs := blocks(f.lines)
	removed := false
	for i := len(bs) - 1; i >= 0; i-- {
		b := bs[i]
		if b.name != section {
			continue
		}
		start, end := b.header, b.contentEnd
		switch {
		case start > 0 && f.lines[start-1].kind == blankLine:
			start--
		case start == 0 && end < b.end && f.lines[end].kind == blankLine:
			end++
		}
		f.splice(start, end)
		removed = true
	}
	return removed
}

// splice replaces lines [from, to) with raw lines.
func (f *File) splice(from, to int, raw ...string) {
	add := make([]line, len(raw))
	for i, r := range raw {
		add[i] = classify(r)
	}
	f.lines = append(f.lines[:from], append(add, f.lines[to:]...)...)
}

// terminate gives line i a line ending if it has none (the last line of
// a file without a final newline), before a line goes after it.
func (f *File) terminate(i int) {
	if i >= 0 && i < len(f.lines) && f.lines[i].ending() == "" {
		f.lines[i] = classify(f.lines[i].raw + f.newline())
	}
}

// newline is the file's line ending: CRLF when its first line ends so.
func (f *File) newline() string {
	for _, l := range f.lines {
		if e := l.ending(); e != "" {
			return e
		}
	}
	return "\n"
}

// checkSection refuses a section name the SDK would read back as another
// name (or not as a header).
func checkSection(name string) error {
	got, ok := headerName("[" + name + "]")
	if name == "" || !ok || got != name || strings.ContainsAny(name, "[]\r\n") {
		return fmt.Errorf("%q cannot be a section name of the config file", name)
	}
	return nil
}

// checkProperty refuses a key or value that the SDK would not read back
// as given from a "key = value" line: keys are lower-case letters, digits
// and _ . -; values are one line without an inline comment, surrounding
// spaces or quotes.
func checkProperty(kv KeyValue) error {
	for _, r := range kv.Key {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '_' || r == '.' || r == '-') {
			return fmt.Errorf("%q cannot be a key of the config file: want lower-case letters, digits, _ . -", kv.Key)
		}
	}
	l := classify(kv.Key + " = " + kv.Value)
	if kv.Key == "" || l.kind != propertyLine || l.key != kv.Key || l.value != kv.Value || strings.ContainsAny(kv.Value, "\r\n") {
		return fmt.Errorf("%s: %q cannot be written as a value the AWS SDKs read back unchanged", kv.Key, kv.Value)
	}
	return nil
}
