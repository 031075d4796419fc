package main

// flagPrompts are the questions asked on a terminal for secrets given as
// "-".
var flagPrompts = map[string]string{
	"secret-key":    "Secret access key: ",
	"session-token": "Session token: ",
	"mfa-token":     "MFA code: ",
}

// readFlagSecret reads the value of a secret flag given as "-": typed
// without echo when stdin is a terminal (the question on stderr), else
// one line of stdin (a pipe, a here-string), in flag order.
func (c *cli) readFlagSecret(flag string) (string, error) {
	prompt, ok := flagPrompts[flag]
	if !ok {
		prompt = "--" + flag + ": "
	}
	v, typed, err := c.readHidden(prompt, false)
	if err != nil || typed {
		return v, err
	}
	return c.readLine()
}
