package awssession

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/awssession/awssession/internal/sdkfiles"
)

// ProfilePlan is one profile's answer in [ExplainProfiles].
type ProfilePlan struct {
	Profile string
	// Plan and Err are what [Explain] returns for the profile.
	Plan Plan
	Err  error
}

// ExplainProfiles returns the plan of each of profiles, in order: for each,
// what Explain(ctx, append(opts, WithProfile(profile))...) returns, an
// error in one profile's Err leaving the others planned. It reads the
// shared files once, through the checks every session makes, and hands
// the SDK's parser, still the one reader of every setting, only the
// sections each profile's chain needs, so its work grows with the size of
// the files and not with their size times the number of profiles (3,000
// profiles: see BENCHMARKS.md). Everything else is read as Explain reads
// it, per profile: the environment, a [WithProfileSource] lookup, sign-in
// token files, the cache.
//
// The error is the [*InputError] every plan would have when a shared file
// is refused (a FIFO, /dev/zero, a file too large), or the context's. It
// is safe for concurrent use.
func ExplainProfiles(ctx context.Context, profiles []string, opts ...Option) ([]ProfilePlan, error) {
	set, err := readProfileSet(opts)
	if err != nil {
		return nil, err
	}
	opts = slices.Clip(opts)
	var files []Option
	if set != nil {
		defer set.close()
		files = []Option{set.files}
	}
	out := make([]ProfilePlan, 0, len(profiles))
	for _, name := range profiles {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		plan, err := Explain(ctx, append(append(opts, WithProfile(name)), files...)...)
		out = append(out, ProfilePlan{Profile: name, Plan: plan, Err: err})
	}
	return out, nil
}

// profileSet is the shared files read once, as the SDK's parser splits
// them into sections, for planning many profiles. It is safe for
// concurrent use.
type profileSet struct {
	files  sharedFiles // the files, with batch pointing back here
	config []fileSections
	creds  []fileSections
	// names are the sections the files hold, under every name the SDK
	// may give them once it has dropped the "profile " prefix.
	names map[string]bool
	// refs are the sections each profile names (source_profile,
	// sso_session, services), as gopkg.in/ini reads them: a guess at
	// which sections a profile needs, which parse checks with the SDK.
	refs map[string][]string
	mfa  map[string]string // every config file profile's mfa_process
	mu   sync.Mutex        // guards the scratch files
}

// fileSections is one shared file: its sections by the name the SDK's
// parser reads in their header, each with its lines (a name given
// twice: both, in order), and the temporary file the SDK's parser reads in
// its place.
type fileSections struct {
	path     string
	sections map[string][]byte
	scratch  *sdkfiles.Scratch
}

// readProfileSet reads the shared files opts name. A refused file is an
// error; nil without an error leaves the files to each Explain (one it
// cannot read as a session does, such as a file without read permission,
// which the SDK skips).
func readProfileSet(opts []Option) (*profileSet, error) {
	o := collect(opts)
	s := &snapshot{getenv: captureEnv(o.world.getenv)}
	if h, err := o.world.home(); err == nil {
		s.home = h
	}
	set := &profileSet{names: map[string]bool{}, refs: map[string][]string{}, mfa: map[string]string{}}
	set.files = o.sharedFiles(s)
	set.files.batch = set
	usable := true
	for _, path := range slices.Concat(set.files.config, set.files.credentials) {
		configFile := len(set.config) < len(set.files.config)
		f, ok, err := set.read(path, configFile)
		if err != nil {
			set.close()
			return nil, err
		}
		usable = usable && ok
		if configFile {
			set.config = append(set.config, f)
		} else {
			set.creds = append(set.creds, f)
		}
	}
	if !usable {
		set.close()
		return nil, nil
	}
	return set, nil
}

// read reads one shared file for the set: its sections, the names and
// references they hold, its mfa_process keys, and a scratch file. The
// error is a refused file's; ok is false for a file the set cannot stand
// in for.
func (s *profileSet) read(path string, configFile bool) (f fileSections, ok bool, err error) {
	b, err := readChecked(path, maxSharedFile)
	switch {
	case errors.Is(err, ErrInvalidInput):
		return f, false, err
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return f, false, nil
	}
	sections, err := parseSections(path, b)
	if err != nil {
		return f, false, nil
	}
	if configFile {
		addMFAProcesses(s.mfa, sections, func(string) bool { return true })
	}
	for _, sec := range sections {
		if name, isProfile := profileOfSection(sec.Name(), configFile); isProfile {
			s.guessRefs(name, sec.KeysHash())
		}
	}
	f = fileSections{path: path, sections: sdkfiles.Sections(b)}
	for name := range f.sections {
		s.names[name] = true
		s.names[strings.TrimPrefix(name, "profile ")] = true
	}
	f.scratch, err = sdkfiles.NewScratch()
	return f, err == nil, nil
}

// guessRefs records the sections profile names in keys.
func (s *profileSet) guessRefs(profile string, keys map[string]string) {
	for key, prefix := range map[string]string{"source_profile": "", "sso_session": "sso-session ", "services": "services "} {
		if v := strings.TrimSpace(keys[key]); v != "" {
			s.refs[profile] = append(s.refs[profile], prefix+v)
		}
	}
}

func (s *profileSet) close() {
	for _, f := range slices.Concat(s.config, s.creds) {
		if f.scratch != nil {
			f.scratch.Close()
		}
	}
}

// mfaProcesses is mfaProcesses for the files of the set.
func (s *profileSet) mfaProcesses(profiles []string) map[string]string {
	out := map[string]string{}
	for _, p := range profiles {
		if v, ok := s.mfa[p]; ok {
			out[p] = v
		}
	}
	return out
}

// parse parses profile name (and its chain) with the SDK's parser from
// the files, then from extraCredentials; for a batch, from the sections
// of the files the chain needs.
func (f sharedFiles) parse(ctx context.Context, name string, extraCredentials ...string) (_ config.SharedConfig, err error) {
	credentials := append(slices.Clip(f.credentials), extraCredentials...)
	defer sdkParserPanic(f.config, credentials, &err) // names these files, not a batch's scratch files
	if f.batch != nil {
		return f.batch.parse(ctx, name, extraCredentials)
	}
	return sdkParse(ctx, name, f.config, credentials)
}

// parse hands the SDK's parser the sections the chain of profile name
// needs, as the scratch files. The SDK then names every section it looked
// up: the chain's profiles, sso-session and services sections in what it
// returns, and in its error the source_profile or sso-session it did not
// find. When one of them is in the files but was not handed over (the
// guess from gopkg.in/ini missed it), it parses again with it, so the
// answer is the one the whole files give.
func (s *profileSet) parse(ctx context.Context, name string, extraCredentials []string) (config.SharedConfig, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var need selection
	s.select_(&need, name)
	for {
		configFiles, credsFiles, err := s.write(&need)
		if err != nil {
			return config.SharedConfig{}, err
		}
		sc, err := sdkParse(ctx, name, configFiles, append(credsFiles, extraCredentials...))
		missed := false
		for _, looked := range sdkfiles.LookedUp(sc, err) {
			if s.names[looked] && !need.has[looked] {
				s.select_(&need, looked)
				missed = true
			}
		}
		if !missed {
			s.unscratch(&sc)
			return sc, err
		}
	}
}

// unscratch names the files the keys came from, not the scratch files,
// in the credentials' Source (the SDK writes the file there).
func (s *profileSet) unscratch(sc *config.SharedConfig) {
	for c := sc; c != nil; c = c.Source {
		for _, f := range slices.Concat(s.config, s.creds) {
			if src, ok := strings.CutSuffix(c.Credentials.Source, ": "+f.scratch.Path()); ok {
				c.Credentials.Source = src + ": " + f.path
				break
			}
		}
	}
}

// selection is the sections one parse needs, in the order first needed.
type selection struct {
	names []string
	has   map[string]bool
}

// select_ adds name and, following the guessed references, the sections
// it needs.
func (s *profileSet) select_(need *selection, name string) {
	if need.has == nil {
		need.has = map[string]bool{}
	}
	for todo := []string{name}; len(todo) > 0; {
		n := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if !need.has[n] {
			need.has[n] = true
			need.names = append(need.names, n)
			todo = append(todo, s.refs[n]...)
		}
	}
}

// write puts the needed sections of each file in its scratch file and
// returns the paths of those that hold any (the SDK's parser merges the
// files in order; one without sections adds nothing). A section the SDK
// names n is, in a config file, [profile n] or [n] (the SDK keeps
// [default], [sso-session …] and [services …] and drops any other); in a
// credentials file, [n].
func (s *profileSet) write(need *selection) (configFiles, credsFiles []string, err error) {
	var b bytes.Buffer
	for _, f := range s.config {
		b.Reset()
		for _, n := range need.names {
			b.Write(f.sections["profile "+n])
			if !strings.HasPrefix(n, "profile ") { // [profile profile x] is profile x
				b.Write(f.sections[n])
			}
		}
		if configFiles, err = f.scratch.Put(configFiles, b.Bytes()); err != nil {
			return nil, nil, err
		}
	}
	for _, f := range s.creds {
		b.Reset()
		for _, n := range need.names {
			b.Write(f.sections[n])
		}
		if credsFiles, err = f.scratch.Put(credsFiles, b.Bytes()); err != nil {
			return nil, nil, err
		}
	}
	return configFiles, credsFiles, nil
}
