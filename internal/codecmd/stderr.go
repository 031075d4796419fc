package codecmd

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"sync"
	"time"
)

// stderrWatch copies a command's stderr to where it goes and notes a
// line saying that the display could not be opened (GTK's "cannot open
// display", Qt's "could not connect to display", Xlib's "Can't open
// display"), which zenity reports with the exit status of a cancel.
type stderrWatch struct {
	done   chan struct{}
	mu     sync.Mutex
	failed bool
}

func watchStderr(r io.Reader, dst io.Writer) *stderrWatch {
	w := &stderrWatch{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		br := bufio.NewReaderSize(r, 4096)
		for {
			chunk, err := br.ReadSlice('\n')
			if len(chunk) > 0 {
				_, _ = dst.Write(chunk)
				if isDisplayFailure(string(chunk)) {
					w.mu.Lock()
					w.failed = true
					w.mu.Unlock()
				}
			}
			if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
				return
			}
		}
	}()
	return w
}

// wait waits until the command's stderr ends, for d at most.
func (w *stderrWatch) wait(d time.Duration) {
	select {
	case <-w.done:
	case <-time.After(d):
	}
}

func (w *stderrWatch) displayFailed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failed
}

func isDisplayFailure(line string) bool {
	l := strings.ToLower(line)
	for _, s := range []string{"cannot open display", "can't open display", "could not connect to display", "unable to open display"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}
