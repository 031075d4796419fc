package ststest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The REST-JSON services the server answers beside STS: IAM Identity
// Center's OIDC and portal APIs and AWS Sign-In's token endpoint. Each
// operation is a route (method and path); its requests are recorded with
// Action "SERVICE:Operation" (sso-oidc:CreateToken, sso:GetRoleCredentials,
// signin:CreateOAuth2Token) and take injected faults for that action.

// restCall is one REST-JSON request being served, with s.mu held.
type restCall struct {
	r    *http.Request
	body []byte
	now  time.Time
}

// restOp serves one operation and returns the JSON body to send with 200,
// or the error.
type restOp func(s *Server, c *restCall) (any, *restError)

// restError is a REST-JSON error response: the HTTP status, the error type
// sent in x-amzn-ErrorType, and the body.
type restError struct {
	status int
	typ    string
	body   any
}

// restRoute is one operation: its method, the action recorded, how its
// service shapes an error body, and the operation.
type restRoute struct {
	method  string
	action  string
	service restService
	op      restOp
}

// restService shapes a service's error bodies from a type and a text.
type restService int

const (
	serviceOIDC   restService = iota // {"error": code, "error_description": text}
	servicePortal                    // {"message": text}
	serviceSignin                    // {"error": code, "message": text}
)

// restRoutes are the REST-JSON operations by path.
var restRoutes = map[string]restRoute{
	"/client/register":        {http.MethodPost, "sso-oidc:RegisterClient", serviceOIDC, (*Server).registerClient},
	"/device_authorization":   {http.MethodPost, "sso-oidc:StartDeviceAuthorization", serviceOIDC, (*Server).startDeviceAuthorization},
	"/token":                  {http.MethodPost, "sso-oidc:CreateToken", serviceOIDC, (*Server).createToken},
	"/federation/credentials": {http.MethodGet, "sso:GetRoleCredentials", servicePortal, (*Server).getRoleCredentials},
	"/assignment/accounts":    {http.MethodGet, "sso:ListAccounts", servicePortal, (*Server).listAccounts},
	"/assignment/roles":       {http.MethodGet, "sso:ListAccountRoles", servicePortal, (*Server).listAccountRoles},
	"/logout":                 {http.MethodPost, "sso:Logout", servicePortal, (*Server).logout},
	signinTokenPath:           {http.MethodPost, "signin:CreateOAuth2Token", serviceSignin, (*Server).createOAuth2Token},
}

// secretFields are request members never copied into [Request.Params]:
// the log is for assertions and may be printed (GET /ststest/requests).
var secretFields = map[string]bool{
	"clientSecret": true, "deviceCode": true, "code": true, "codeVerifier": true,
	"refreshToken": true, "client_secret": true, "device_code": true,
	"code_verifier": true, "refresh_token": true,
}

// serveREST serves r if its path is a REST-JSON operation and reports
// whether it was one. A known path with another method is answered 404
// with UnknownOperationException (a guess at what AWS's front end sends).
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) bool {
	route, ok := restRoutes[r.URL.Path]
	if !ok {
		return false
	}
	body, _ := io.ReadAll(r.Body) // guard has read it, within maxRequestBody
	requestID := newRequestID()
	idx := s.recordStart(r, loggedParams(r.URL.Query(), body), route.action, requestID)
	status, code, fault := s.serveRESTCall(w, r, route, body, requestID)
	s.recordEnd(idx, requestID, status, code, fault)
	return true
}

func (s *Server) serveRESTCall(w http.ResponseWriter, r *http.Request, route restRoute, body []byte, requestID string) (int, string, bool) {
	if f, ok := s.takeFault(route.action); ok {
		if !s.wait(r, f.Latency) {
			return 0, "", true
		}
		if f.Status != 0 {
			e := route.service.err(f.Status, f.Code, "", f.Message)
			writeREST(w, e.status, e.typ, requestID, s.cfg.clock(), e.body)
			return e.status, e.typ, true
		}
	}
	c := &restCall{r: r, body: body}
	var out any
	var e *restError
	s.mu.Lock()
	c.now = s.cfg.clock()
	switch {
	case r.Method != route.method:
		e = &restError{http.StatusNotFound, "UnknownOperationException", map[string]string{"message": "Unknown operation"}}
	default:
		out, e = route.op(s, c)
	}
	s.mu.Unlock()
	if e != nil {
		writeREST(w, e.status, e.typ, requestID, c.now, e.body)
		return e.status, e.typ, false
	}
	writeREST(w, http.StatusOK, "", requestID, c.now, out)
	return http.StatusOK, "", false
}

// err builds an error of the service's shape. code is the OAuth error
// code ("" derives nothing: the body then carries the text only).
func (svc restService) err(status int, typ, code, text string) *restError {
	switch svc {
	case serviceOIDC:
		return &restError{status, typ, oidcErrorBody{code, text}}
	case serviceSignin:
		return &restError{status, typ, signinErrorBody{code, text}}
	default:
		return &restError{status, typ, map[string]string{"message": text}}
	}
}

type oidcErrorBody struct {
	Error       string `json:"error,omitempty"`
	Description string `json:"error_description,omitempty"`
}

type signinErrorBody struct {
	Error   string `json:"error,omitempty"`
	Message string `json:"message"`
}

// writeREST sends a JSON body with the headers AWS's REST-JSON services
// send: the request ID, the error type on errors, and a Date from the
// server clock. A nil body is sent as no body (Logout).
func writeREST(w http.ResponseWriter, status int, errType, requestID string, now time.Time, body any) {
	var out []byte
	if body != nil {
		var err error
		if out, err = json.Marshal(body); err != nil {
			panic("ststest: marshal response: " + err.Error()) // fixed structs of strings and numbers
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", requestID)
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	if errType != "" {
		h.Set("X-Amzn-Errortype", errType)
	}
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// loggedParams are the parameters recorded for a REST-JSON request: the
// query string and the body's top-level string members (lists of strings
// joined as several values), secrets left out.
func loggedParams(query url.Values, body []byte) url.Values {
	params := url.Values{}
	for k, vs := range query {
		if !secretFields[k] {
			params[k] = vs
		}
	}
	var members map[string]any
	if json.Unmarshal(body, &members) != nil {
		if form, err := url.ParseQuery(string(body)); err == nil {
			for k, vs := range form {
				if !secretFields[k] {
					params[k] = append(params[k], vs...)
				}
			}
		}
		return params
	}
	for k, v := range members {
		if secretFields[k] {
			continue
		}
		switch v := v.(type) {
		case string:
			params.Add(k, v)
		case []any:
			for _, item := range v {
				if str, ok := item.(string); ok {
					params.Add(k, str)
				}
			}
		}
	}
	return params
}

// decodeJSON reads a request body into v; an empty body is an empty
// object. Unknown members are ignored, as AWS ignores them.
func decodeJSON(body []byte, v any) bool {
	if len(body) == 0 {
		return true
	}
	return json.Unmarshal(body, v) == nil
}
