package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// envVar is one environment variable of a session.
type envVar struct {
	name, value string
	secret      bool // masked in CI logs
}

// Variables a session sets or clears.
const (
	varAccessKeyID     = "AWS_ACCESS_KEY_ID"
	varSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
	varSessionToken    = "AWS_SESSION_TOKEN"
	varSecurityToken   = "AWS_SECURITY_TOKEN" // boto2's name for the session token
	varRegion          = "AWS_REGION"
	varDefaultRegion   = "AWS_DEFAULT_REGION"
	varExpiration      = "AWS_CREDENTIAL_EXPIRATION"
)

// sessionVarNames are all the variables env sets, in output order, the
// session's name ($AWSSESSION) last; env --unset clears them.
var sessionVarNames = []string{varAccessKeyID, varSecretAccessKey, varSessionToken, varSecurityToken,
	varRegion, varDefaultRegion, varExpiration, markerVar}

// sessionVars returns the variables that carry creds and region, and the
// ones a shell should clear because this session has no value for them
// (a stale session token would break long-term keys).
func sessionVars(creds aws.Credentials, region string) (set []envVar, unset []string) {
	set = []envVar{
		{name: varAccessKeyID, value: creds.AccessKeyID, secret: true},
		{name: varSecretAccessKey, value: creds.SecretAccessKey, secret: true},
	}
	if creds.SessionToken != "" {
		set = append(set, envVar{name: varSessionToken, value: creds.SessionToken, secret: true})
	} else {
		unset = append(unset, varSessionToken)
	}
	unset = append(unset, varSecurityToken)
	set = append(set, regionVars(region)...)
	if creds.CanExpire && !creds.Expires.IsZero() {
		set = append(set, envVar{name: varExpiration, value: creds.Expires.UTC().Format(time.RFC3339)})
	} else {
		unset = append(unset, varExpiration)
	}
	return set, unset
}

// regionVars returns AWS_REGION and AWS_DEFAULT_REGION, or nothing when
// the region is not known.
func regionVars(region string) []envVar {
	if region == "" {
		return nil
	}
	return []envVar{{name: varRegion, value: region}, {name: varDefaultRegion, value: region}}
}

// A shellFormat prints variables as statements of one shell. Every value
// is quoted so that its reader gives back the value and runs no part of
// it, whatever it holds (the values come from STS, or anything at
// --sts-endpoint); a value a format cannot carry that way is refused.
type shellFormat struct {
	set   func(name, value string) string
	unset func(name string) string // nil: the format cannot clear a variable
	// check refuses a value the format cannot carry; nil: any value
	// without NUL (which no environment variable holds).
	check func(value string) error
}

// formatNames are the values of env --format; json, process and github
// are handled apart.
var formatNames = []string{"bash", "zsh", "sh", "fish", "powershell", "dotenv", "json", "process", "github"}

var shellFormats = map[string]shellFormat{
	"bash": {
		set:   func(n, v string) string { return "export " + n + "=" + quoteSh(v) },
		unset: func(n string) string { return "unset " + n },
	},
	"fish": {
		set: func(n, v string) string { return "set -gx " + n + " " + quoteFish(v) + ";" },
		// set -e fails for a variable that is not set: a sourced script
		// would end with that status.
		unset: func(n string) string { return "set -e " + n + "; or true;" },
	},
	"powershell": {
		set:   func(n, v string) string { return "$Env:" + n + " = " + quotePowerShell(v) },
		unset: func(n string) string { return "Remove-Item -Path Env:" + n + " -ErrorAction SilentlyContinue" },
		check: checkPowerShell,
	},
	"dotenv": {
		set:   func(n, v string) string { return n + "=" + quoteDotenv(v) },
		check: checkDotenv,
	},
}

// canonicalFormat maps shell aliases to the format that serves them.
func canonicalFormat(name string) string {
	if name == "zsh" || name == "sh" {
		return "bash"
	}
	return name
}

// writeShell prints set and unset statements in format f, or nothing
// when a value cannot be carried (the error names the variable, never
// the value).
func writeShell(w io.Writer, f shellFormat, set []envVar, unset []string) error {
	check := f.check
	if check == nil {
		check = checkNoNUL
	}
	for _, v := range set {
		if err := check(v.value); err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
	}
	var b strings.Builder
	for _, v := range set {
		b.WriteString(f.set(v.name, v.value) + "\n")
	}
	if f.unset != nil {
		for _, n := range unset {
			b.WriteString(f.unset(n) + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON prints the variables as one JSON object.
func writeJSON(w io.Writer, set []envVar) error {
	m := make(map[string]string, len(set))
	for _, v := range set {
		m[v.name] = v.value
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// writeGitHub appends the variables to the GitHub Actions environment
// file (heredoc form, so no value can end the entry early) and prints
// add-mask commands for the secrets on stdout, first.
func writeGitHub(stdout, envFile io.Writer, set []envVar) error {
	var masks, entries strings.Builder
	for _, v := range set {
		if v.secret {
			// A mask is matched line by line in logs.
			for _, line := range strings.Split(v.value, "\n") {
				if line != "" {
					masks.WriteString("::add-mask::" + escapeWorkflowCommand(line) + "\n")
				}
			}
		}
		delim := heredocDelimiter(v.value)
		fmt.Fprintf(&entries, "%s<<%s\n%s\n%s\n", v.name, delim, v.value, delim)
	}
	if _, err := io.WriteString(stdout, masks.String()); err != nil {
		return err
	}
	_, err := io.WriteString(envFile, entries.String())
	return err
}

// heredocDelimiter returns a random delimiter that does not occur in value.
func heredocDelimiter(value string) string {
	for {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		d := "ghadelimiter_" + hex.EncodeToString(b)
		if !strings.Contains(value, d) {
			return d
		}
	}
}

// escapeWorkflowCommand escapes a GitHub Actions workflow command value.
func escapeWorkflowCommand(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}
