package ststest

import (
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"
)

// The pages a person uses in a browser: the start URL's portal page, the
// device verification page (RFC 8628 §3.3) and the authorization pages of
// Identity Center and Sign-In. They are plain HTML forms. Each form the
// server shows carries a random token that a POST must return once, before
// formLifetime passes, and a POST whose Origin is another site is refused:
// enough against cross-site requests to a loopback test server.

// formLifetime is how long a page's form can be submitted.
const formLifetime = 10 * time.Minute

// pageForm is a form the server showed, by its token: the device
// verification form, or the decision on an authorization request.
type pageForm struct {
	expires time.Time
	auth    *authRequest // nil on the device page
}

// page is what the one page template shows.
type page struct {
	Title, Error, Message, Code string
	Items                       []string
	Link, LinkText              string
	Form                        *formView
}

type formView struct {
	Action, Token, UserCode string
	AskUserCode             bool
	Users                   []string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body>
<h1>{{.Title}}</h1>
{{with .Error}}<p role="alert"><strong>{{.}}</strong></p>{{end}}
{{with .Message}}<p>{{.}}</p>{{end}}
{{with .Code}}<p><code id="code">{{.}}</code></p>{{end}}
{{with .Items}}<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with .Link}}<p><a href="{{.}}">{{$.LinkText}}</a></p>{{end}}
{{with .Form}}<form method="post" action="{{.Action}}">
<input type="hidden" name="csrf_token" value="{{.Token}}">
{{if .AskUserCode}}<p><label>Code <input name="user_code" value="{{.UserCode}}" autocomplete="off" required></label></p>{{end}}
<p><label>Sign in as <select name="user">{{range .Users}}<option>{{.}}</option>{{end}}</select></label></p>
<p><button name="decision" value="allow">Allow</button> <button name="decision" value="deny">Deny</button></p>
</form>{{end}}
</body></html>
`))

// reply is a page or a redirect: decided with s.mu held, sent after it
// is released.
type reply struct {
	status   int
	page     page
	location string // a redirect (302) when set
}

func pageReply(status int, p page) reply { return reply{status: status, page: p} }

// send writes the reply and returns its status. Pages may not be framed
// or cached.
func (rp reply) send(w http.ResponseWriter, r *http.Request) int {
	if rp.location != "" {
		http.Redirect(w, r, rp.location, http.StatusFound)
		return http.StatusFound
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(rp.status)
	_ = pageTemplate.Execute(w, rp.page)
	return rp.status
}

func errorPage(message string) page {
	return page{Title: "ststest", Error: message}
}

// serveLoginPages answers the pages' requests and reports whether r was
// one of them.
func (s *Server) serveLoginPages(w http.ResponseWriter, r *http.Request) bool {
	get, post := r.Method == http.MethodGet || r.Method == http.MethodHead, r.Method == http.MethodPost
	switch path := r.URL.Path; {
	case path == ssoStartPath && get:
		s.serveStartPage(w, r)
	case path == ssoDevicePath && get:
		s.mu.Lock()
		p := s.devicePageLocked(r.URL.Query().Get("user_code"), s.cfg.clock())
		s.mu.Unlock()
		pageReply(http.StatusOK, p).send(w, r)
	case path == ssoDevicePath && post:
		s.serveDeviceDecision(w, r)
	case path == ssoAuthorizePath && get:
		s.serveAuthorize(w, r)
	case path == signinAuthorizePath && get:
		s.serveSigninAuthorize(w, r)
	case (path == ssoAuthorizePath || path == signinAuthorizePath) && post:
		s.serveAuthorizeDecision(w, r)
	case path == signinConfirmationPath && get:
		s.serveSigninConfirmation(w, r)
	case path == ssoStartPath || path == ssoDevicePath || path == ssoAuthorizePath ||
		path == signinAuthorizePath || path == signinConfirmationPath:
		pageReply(http.StatusMethodNotAllowed, errorPage("Method not allowed.")).send(w, r)
	default:
		return false
	}
	return true
}

// serveStartPage shows the start URL: the users and what they may use.
func (s *Server) serveStartPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var items []string
	for _, name := range s.userNamesLocked() {
		var sets []string
		for _, a := range s.assignmentsLocked(name) {
			sets = append(sets, a.PermissionSet+" in "+a.Account)
		}
		if len(sets) == 0 {
			sets = []string{"no assignments"}
		}
		items = append(items, name+": "+strings.Join(sets, ", "))
	}
	s.mu.Unlock()
	pageReply(http.StatusOK, page{Title: "IAM Identity Center (ststest)",
		Message: "Sign in from a terminal with this start URL. Users and their assignments:",
		Items:   items, Link: ssoDevicePath, LinkText: "Enter a device code"}).send(w, r)
}

// devicePageLocked is the verification page, with the code filled in
// when the client's verificationUriComplete was opened.
func (s *Server) devicePageLocked(userCode string, now time.Time) page {
	token := s.newFormLocked(&pageForm{}, now)
	return page{Title: "IAM Identity Center (ststest)", Message: "Confirm the code your terminal shows, and who signs in.",
		Form: &formView{Action: ssoDevicePath, Token: token, UserCode: userCode, AskUserCode: true, Users: s.userNamesLocked()}}
}

func (s *Server) serveDeviceDecision(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	rp := s.deviceDecisionLocked(r, s.cfg.clock())
	s.mu.Unlock()
	rp.send(w, r)
}

func (s *Server) deviceDecisionLocked(r *http.Request, now time.Time) reply {
	f := s.takeFormLocked(r, now)
	if f == nil || f.auth != nil {
		return pageReply(http.StatusBadRequest, errorPage("This form has expired or was already sent; open the page again."))
	}
	allow := r.PostFormValue("decision") == "allow"
	if err := s.decideDeviceLocked(r.PostFormValue("user_code"), r.PostFormValue("user"), allow, now); err != nil {
		p := s.devicePageLocked(r.PostFormValue("user_code"), now)
		p.Error = strings.TrimPrefix(err.Error(), "ststest: ")
		return pageReply(http.StatusBadRequest, p)
	}
	message := "Request approved. You can close this window and return to your terminal."
	if !allow {
		message = "Request denied."
	}
	return pageReply(http.StatusOK, page{Title: "IAM Identity Center (ststest)", Message: message})
}

// authorizePageLocked asks who signs in for an authorization request.
func (s *Server) authorizePageLocked(req *authRequest, now time.Time) reply {
	title, message, action := "IAM Identity Center (ststest)", "Allow this application to access your AWS accounts?", ssoAuthorizePath
	if req.signin {
		title, message, action = "AWS Sign-In (ststest)", "Allow AWS developer tools ("+req.clientID+") to use your console session?", signinAuthorizePath
	}
	token := s.newFormLocked(&pageForm{auth: req}, now)
	return pageReply(http.StatusOK, page{Title: title, Message: message,
		Form: &formView{Action: action, Token: token, Users: s.userNamesLocked()}})
}

// serveAuthorizeDecision answers an authorization page's form: Allow
// redirects with a code, Deny with error=access_denied.
func (s *Server) serveAuthorizeDecision(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	rp := s.authorizeDecisionLocked(r, s.cfg.clock())
	s.mu.Unlock()
	rp.send(w, r)
}

func (s *Server) authorizeDecisionLocked(r *http.Request, now time.Time) reply {
	f := s.takeFormLocked(r, now)
	if f == nil || f.auth == nil || f.auth.signin != (r.URL.Path == signinAuthorizePath) {
		return pageReply(http.StatusBadRequest, errorPage("This form has expired or was already sent; start the sign-in again."))
	}
	if r.PostFormValue("decision") != "allow" {
		return redirectError(f.auth, "access_denied", "The user denied the request")
	}
	u := s.users[r.PostFormValue("user")]
	if !f.auth.signin {
		u = s.idcUserLocked(r.PostFormValue("user"))
	}
	if u == nil {
		return pageReply(http.StatusBadRequest, errorPage("No such user."))
	}
	return s.approveAuthRequestLocked(f.auth, u, now)
}

// newFormLocked remembers a form shown now and returns its token,
// forgetting the forms that can no longer be sent.
func (s *Server) newFormLocked(f *pageForm, now time.Time) string {
	for token, old := range s.idc.forms {
		if now.After(old.expires) {
			delete(s.idc.forms, token)
		}
	}
	token := newOpaqueToken("", 24)
	f.expires = now.Add(formLifetime)
	s.idc.forms[token] = f
	return token
}

// takeFormLocked returns the form a POST answers, once, or nil when its
// token is unknown, used or expired, or the POST came from another origin.
func (s *Server) takeFormLocked(r *http.Request, now time.Time) *pageForm {
	token := r.PostFormValue("csrf_token")
	f := s.idc.forms[token]
	delete(s.idc.forms, token)
	if origin := r.Header.Get("Origin"); origin != "" && origin != "http://"+r.Host {
		return nil
	}
	if f == nil || now.After(f.expires) {
		return nil
	}
	return f
}

// userNamesLocked lists the IAM users (not the root), sorted.
func (s *Server) userNamesLocked() []string {
	var names []string
	for name, u := range s.users {
		if !u.root {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
