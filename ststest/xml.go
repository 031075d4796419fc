package ststest

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"time"
)

// xmlns is the namespace of every STS response body.
const xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"

// envelope is <OpResponse><OpResult>…</OpResult><ResponseMetadata>….
// Result must be a struct whose XMLName names the <OpResult> element.
type envelope struct {
	XMLName   xml.Name
	Xmlns     string `xml:"xmlns,attr"`
	Result    any
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

type errorEnvelope struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    string
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// credentialsXML is the <Credentials> element of every issuing operation.
type credentialsXML struct {
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// formatExpiration writes t as STS does: UTC RFC 3339 with milliseconds.
func formatExpiration(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// writeXML sends body with the headers STS sends: text/xml, the request ID
// in x-amzn-RequestId, and a Date from the server clock.
func writeXML(w http.ResponseWriter, status int, requestID string, now time.Time, body any) {
	out, err := xml.Marshal(body)
	if err != nil {
		// Every body is a fixed struct of strings and ints.
		panic("ststest: marshal response: " + err.Error())
	}
	out = append(out, '\n')
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("X-Amzn-Requestid", requestID)
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

func writeResult(w http.ResponseWriter, action, requestID string, now time.Time, result any) {
	writeXML(w, http.StatusOK, requestID, now, envelope{
		XMLName:   xml.Name{Local: action + "Response"},
		Xmlns:     xmlns,
		Result:    result,
		RequestID: requestID,
	})
}

func writeError(w http.ResponseWriter, e *apiError, requestID string, now time.Time) {
	var body errorEnvelope
	body.Xmlns = xmlns
	body.Error.Type = e.errorType()
	body.Error.Code = e.code
	body.Error.Message = e.message
	body.RequestID = requestID
	writeXML(w, e.status, requestID, now, body)
}
