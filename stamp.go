package awssession

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
)

// A plan stamp lets PeekSession serve a session whose plan depends on the
// shared configuration (a profile, the default chain, a region from the
// environment) without loading that configuration. CreateSession writes
// one to the session's cache: under a key that hashes the options and the
// AWS_* environment, it records the state of the shared config and
// credentials files it loaded, the region and the top layer's cache key
// that came out. The options, the environment and those files are all
// config.LoadDefaultConfig reads to plan a session, so while they are
// unchanged the plan is too, and the top layer's entry is what
// CreateSession would hand out first.
//
// A file counts as unchanged when its size, modification and change
// times and inode are. Two writes closer together than the file system's
// timestamp granularity can share all of these, so no stamp is written
// while a file's modification time is less than stampSettle ago (git's
// "racily clean" rule): a later write then always shows. (The change time
// cannot be set back, so a tool that restores an old modification time
// after writing still shows, unless it writes twice within one tick of
// the file system's clock.)
const stampVersion = 1

// stampSettle is how long a shared file must have been left alone before
// a stamp records it: above every common file system's timestamp
// granularity (FAT's 2 s included).
const stampSettle = 3 * time.Second

type planStamp struct {
	Version int         `json:"version"`
	Files   []fileState `json:"files"`
	Region  string      `json:"region"`
	Top     string      `json:"top"`   // the top layer's cache key
	Layer   string      `json:"layer"` // its name, for logs
}

// fileState is what a stamp compares of a shared file. A file that does
// not exist is recorded as such: creating it changes the configuration.
type fileState struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	Size   int64  `json:"size,omitempty"`
	MTime  int64  `json:"mtime,omitempty"` // Unix ns
	CTime  int64  `json:"ctime,omitempty"` // Unix ns; 0 where the OS has none
	Inode  uint64 `json:"inode,omitempty"`
}

// statFile records path's state, or an error for one that cannot be
// stamped (unreadable directory, a loop of links).
func statFile(path string) (fileState, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fileState{Path: path}, nil
	case err != nil:
		return fileState{}, err
	}
	s := fileState{Path: path, Exists: true, Size: fi.Size(), MTime: fi.ModTime().UnixNano()}
	s.CTime, s.Inode = changeTimeAndInode(fi)
	return s, nil
}

// sharedFiles are the shared config and credentials files
// config.LoadDefaultConfig reads for lo: the load options' own, else the
// environment's, else the SDK's defaults.
func sharedFiles(lo *config.LoadOptions, getenv func(string) string) []string {
	pick := func(own []string, env string, defaults []string) []string {
		switch {
		case len(own) > 0:
			return own
		case getenv(env) != "":
			return []string{getenv(env)}
		}
		return defaults
	}
	return slices.Concat(pick(lo.SharedConfigFiles, "AWS_CONFIG_FILE", config.DefaultSharedConfigFiles),
		pick(lo.SharedCredentialsFiles, "AWS_SHARED_CREDENTIALS_FILE", config.DefaultSharedCredentialsFiles))
}

// sessionStamp is what CreateSession learns of a session's inputs before
// loading the shared config, for writeStamp.
type sessionStamp struct {
	key   string
	files []fileState
}

// takeStamp records the shared files' state before the SDK reads them (a
// change after this shows as a difference next time), for sessions
// PeekSession can only serve from a stamp: with a cache, and not on
// static keys with a region (which it serves without one).
func (o *options) takeStamp() *sessionStamp {
	if o.cache == nil || (o.static != nil && o.region != "") {
		return nil
	}
	lo, ok := o.fileLoadOptions()
	if !ok {
		return nil
	}
	paths := sharedFiles(&lo, o.getenv)
	files, err := stampFiles(paths)
	if err != nil {
		return nil
	}
	return &sessionStamp{key: o.stampKey(paths, o.environ()), files: files}
}

// stampFiles takes the state of every shared file.
func stampFiles(paths []string) ([]fileState, error) {
	states := make([]fileState, 0, len(paths))
	for _, p := range paths {
		s, err := statFile(p)
		if err != nil {
			return nil, err
		}
		states = append(states, s)
	}
	return states, nil
}

// stampKey is the cache key of the session's stamp: everything in the
// options that shapes the plan, the shared files' paths and the AWS_*
// environment (secret values only as "set").
func (o *options) stampKey(files []string, environ []string) string {
	var static []any
	if s := o.static; s != nil {
		static = []any{s.AccessKeyID, s.SessionToken != ""}
	}
	var mfa []any
	if o.mfa != nil {
		mfa = []any{o.mfa.SerialNumber, o.mfa.ifProfileHasOne}
	}
	return cacheKey("plan", stampVersion, static, o.profile, o.region, mfa, o.gst, o.roles,
		o.stsEndpoint, int(o.durations), files, awsEnvironment(environ))
}

// awsEnvironment is the sorted AWS_* part of environ, the variables the
// SDK reads. Secret values are reduced to their presence, which is all a
// plan depends on (the access key ID identifies keys).
func awsEnvironment(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "AWS_") {
			continue
		}
		if strings.Contains(name, "SECRET") || strings.Contains(name, "TOKEN") {
			value = "set"
		}
		out = append(out, name+"="+value)
	}
	slices.Sort(out)
	return out
}

// writeStamp records the session's plan for PeekSession. It never fails
// the session: a stamp not written costs the next process one config
// load.
func (s *session) writeStamp(ctx context.Context) {
	st := s.stamp
	if st == nil || len(s.plan.layers) == 0 {
		return
	}
	log := s.o.logger
	settled := s.o.now().Add(-stampSettle).UnixNano()
	for _, f := range st.files {
		if f.MTime > settled {
			log.LogAttrs(ctx, slog.LevelDebug, "plan stamp not written: a shared file changed just now", slog.String("file", f.Path))
			return
		}
	}
	top := s.plan.layers[len(s.plan.layers)-1]
	b, err := json.Marshal(planStamp{Version: stampVersion, Files: st.files, Region: s.cfg.Region, Top: top.key, Layer: top.name})
	if err != nil {
		return
	}
	if old, err := s.o.cache.Get(ctx, st.key); err == nil && bytes.Equal(old, b) {
		return
	}
	if err := s.o.cache.Put(ctx, st.key, b); err != nil {
		log.LogAttrs(ctx, slog.LevelWarn, "cannot store the plan stamp in the cache", slog.String("error", err.Error()))
		return
	}
	log.LogAttrs(ctx, slog.LevelDebug, "plan stamp stored", slog.String("key", st.key), slog.String("top", top.key))
}

// readStamp returns the stamp under key if every file it records is as it
// was, or why not.
func readStamp(ctx context.Context, c Cache, key string) (planStamp, string) {
	b, err := c.Get(ctx, key)
	switch {
	case errors.Is(err, ErrCacheMiss):
		return planStamp{}, "no plan stamp"
	case err != nil:
		return planStamp{}, "plan stamp unreadable: " + err.Error()
	}
	var st planStamp
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil || dec.More() || st.Version != stampVersion || st.Top == "" {
		return planStamp{}, "plan stamp corrupt or of another version"
	}
	for _, want := range st.Files {
		got, err := statFile(want.Path)
		if err != nil || got != want {
			return planStamp{}, fmt.Sprintf("shared file %s changed", want.Path)
		}
	}
	return st, ""
}
