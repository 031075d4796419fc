package sdkfiles

import (
	"os"
	"strconv"
)

// Scratch is a file the SDK's parser reads in place of a shared file,
// holding only some of its sections. Its content never outlives the
// process where the system allows: on Linux it is a memory file
// (memfd_create), elsewhere a temporary file removed at once and read
// through /dev/fd; only where neither works (Windows) is it a named
// temporary file, mode 0600, removed by Close.
type Scratch struct {
	f     *os.File
	path  string
	named bool // path is a file to remove
	size  int64
}

// NewScratch returns an empty scratch file.
func NewScratch() (*Scratch, error) {
	f, named, err := openScratch()
	if err != nil {
		return nil, err
	}
	s := &Scratch{f: f, path: f.Name(), named: named}
	if err := s.set([]byte("[x]")); err != nil {
		s.Close()
		return nil, err
	}
	alias := "/dev/fd/" + strconv.FormatUint(uint64(f.Fd()), 10)
	if b, err := os.ReadFile(alias); err == nil && string(b) == "[x]" && (!named || os.Remove(f.Name()) == nil) {
		s.path, s.named = alias, false
		return s, nil
	}
	if !named { // a memory file no one can open by a path
		s.Close()
		if f, err = os.CreateTemp("", "awssession-profiles-*"); err != nil {
			return nil, err
		}
		s = &Scratch{f: f, path: f.Name(), named: true}
	}
	return s, nil
}

// Path is the path the SDK's parser opens.
func (s *Scratch) Path() string { return s.path }

// Put makes b the file's content and adds its path to paths, unless b is
// empty (the parser then gets no file for it).
func (s *Scratch) Put(paths []string, b []byte) ([]string, error) {
	if len(b) == 0 {
		return paths, nil
	}
	return append(paths, s.path), s.set(b)
}

// set makes b the file's content, for a reader that opens it next (on
// some systems a reader of /dev/fd shares the file's offset). It never
// truncates the file to nothing: on ext4 the close of any descriptor of
// a file truncated to zero flushes it to disk, 40 µs a parse.
func (s *Scratch) set(b []byte) error {
	if _, err := s.f.WriteAt(b, 0); err != nil {
		return err
	}
	if int64(len(b)) < s.size {
		if err := s.f.Truncate(int64(len(b))); err != nil {
			return err
		}
	}
	s.size = int64(len(b))
	_, err := s.f.Seek(0, 0)
	return err
}

// Close releases the file.
func (s *Scratch) Close() {
	_ = s.f.Close()
	if s.named {
		_ = os.Remove(s.path)
	}
}
