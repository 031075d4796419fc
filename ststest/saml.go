package ststest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Names a SAML response for AWS carries (IAM User Guide, "Configure SAML
// assertions for the authentication response").
const (
	samlProtocolNS  = "urn:oasis:names:tc:SAML:2.0:protocol"
	samlAssertionNS = "urn:oasis:names:tc:SAML:2.0:assertion"
	// samlAWSEndpoint is the audience and recipient of assertions for AWS.
	samlAWSEndpoint = "https://signin.aws.amazon.com/saml"
	// samlAWSURN is the other audience AWS accepts (Versent/saml2aws#759
	// shows Keycloak's assertions carrying it).
	samlAWSURN           = "urn:amazon:webservices"
	samlAttrRole         = "https://aws.amazon.com/SAML/Attributes/Role"
	samlAttrSessionName  = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	samlAttrDuration     = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	samlNameIDPersistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	samlNameIDPrefix     = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
	samlTimeFormat       = "2006-01-02T15:04:05.000Z"
)

// samlProviderName is the name of the server's SAML provider in IAM.
const samlProviderName = "ststest"

// samlAssertionLifetime is how long minted assertions are valid, and the
// age past which STS refuses any assertion ("Token must be redeemed
// within 5 minutes of issuance").
const samlAssertionLifetime = 5 * time.Minute

// samlConsoleSeconds is the SessionDuration attribute of minted
// assertions, the console session an IdP asks for. AssumeRoleWithSAML
// ignores it: the API session is DurationSeconds (API reference).
const samlConsoleSeconds = 3600

// samlAssertionPath mints assertions over HTTP for clients in other
// languages (awssession sts-server): GET ?user=NAME&role=ARN[&role=ARN].
const samlAssertionPath = "/ststest/saml-assertion"

// samlIdP is the server's own SAML identity provider: an RSA key and a
// self-signed certificate made on first use, as for oidcIssuer. The
// certificate is valid from 1970 to 9999 so that no test clock leaves it.
type samlIdP struct {
	once sync.Once
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

func (p *samlIdP) keys() (*rsa.PrivateKey, *x509.Certificate) {
	p.once.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("ststest: generate RSA key: %v", err))
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "ststest SAML identity provider"},
			NotBefore:    time.Unix(0, 0),
			NotAfter:     time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
			KeyUsage:     x509.KeyUsageDigitalSignature,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(fmt.Sprintf("ststest: self-sign certificate: %v", err))
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			panic(fmt.Sprintf("ststest: parse certificate: %v", err))
		}
		p.key, p.cert = key, cert
	})
	return p.key, p.cert
}

// samlIssuer is the entity ID of the server's identity provider.
func (s *Server) samlIssuer() string { return s.URL + "/saml" }

// SAMLProviderARN returns the ARN of the server's SAML identity provider
// as an IAM SAML provider of its account,
// "arn:aws:iam::ACCOUNT:saml-provider/ststest". Name it in
// [Trust.Principals] for roles that [Server.SAMLAssertion]'s assertions
// may assume with AssumeRoleWithSAML.
func (s *Server) SAMLProviderARN() string {
	return s.arn("iam", "saml-provider/"+samlProviderName)
}

// samlClaims are what a minted SAML response asserts.
type samlClaims struct {
	subject     string   // NameID and RoleSessionName; "" leaves both out
	roleARNs    []string // each becomes a "role,provider" Role value
	issued      time.Time
	validFor    time.Duration
	audience    string
	recipient   string
	issuer      string
	consoleSecs int
}

// SAMLAssertion returns a base64 SAMLResponse from the server's identity
// provider, as Okta, Entra ID or AD FS post it to the AWS sign-in page: a
// persistent NameID and a RoleSessionName of userName, a Role attribute
// pairing each of roleARNs with [Server.SAMLProviderARN], a
// SessionDuration of 3600, the audience and recipient
// https://signin.aws.amazon.com/saml, issued at the server clock and
// valid for five minutes. The assertion is signed with the provider's key
// (XML-DSig, RSA-SHA256, exclusive canonicalisation) as those providers
// sign theirs. userName need not be a user of the server (the identity
// provider has its own directory); "" leaves out the NameID and the
// RoleSessionName, as a misconfigured provider does.
func (s *Server) SAMLAssertion(userName string, roleARNs ...string) string {
	return s.mintSAMLResponse(samlClaims{
		subject: userName, roleARNs: roleARNs, issued: s.cfg.clock(), validFor: samlAssertionLifetime,
		audience: samlAWSEndpoint, recipient: samlAWSEndpoint, issuer: s.samlIssuer(), consoleSecs: samlConsoleSeconds,
	})
}

// mintSAMLResponse builds and signs a SAMLResponse asserting c.
func (s *Server) mintSAMLResponse(c samlClaims) string {
	at := func(t time.Time) string { return t.UTC().Format(samlTimeFormat) }
	doc := etree.NewDocument()
	resp := doc.CreateElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", samlProtocolNS)
	resp.CreateAttr("xmlns:saml", samlAssertionNS)
	resp.CreateAttr("ID", "_"+newRequestID())
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", at(c.issued))
	resp.CreateAttr("Destination", c.recipient)
	resp.CreateElement("saml:Issuer").SetText(c.issuer)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").
		CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")

	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", samlAssertionNS)
	a.CreateAttr("ID", "_"+newRequestID())
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", at(c.issued))
	a.CreateElement("saml:Issuer").SetText(c.issuer)
	subject := a.CreateElement("saml:Subject")
	if c.subject != "" {
		id := subject.CreateElement("saml:NameID")
		id.CreateAttr("Format", samlNameIDPersistent)
		id.SetText(c.subject)
	}
	confirm := subject.CreateElement("saml:SubjectConfirmation")
	confirm.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	data := confirm.CreateElement("saml:SubjectConfirmationData")
	data.CreateAttr("NotOnOrAfter", at(c.issued.Add(c.validFor)))
	data.CreateAttr("Recipient", c.recipient)
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", at(c.issued))
	cond.CreateAttr("NotOnOrAfter", at(c.issued.Add(c.validFor)))
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(c.audience)
	authn := a.CreateElement("saml:AuthnStatement")
	authn.CreateAttr("AuthnInstant", at(c.issued))
	authn.CreateAttr("SessionIndex", "_"+newRequestID())
	authn.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").
		SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	attrs := a.CreateElement("saml:AttributeStatement")
	attr := func(name string, values ...string) {
		el := attrs.CreateElement("saml:Attribute")
		el.CreateAttr("Name", name)
		for _, v := range values {
			el.CreateElement("saml:AttributeValue").SetText(v)
		}
	}
	if len(c.roleARNs) > 0 {
		pairs := make([]string, len(c.roleARNs))
		for i, r := range c.roleARNs {
			pairs[i] = r + "," + s.SAMLProviderARN()
		}
		attr(samlAttrRole, pairs...)
	}
	if c.subject != "" {
		attr(samlAttrSessionName, c.subject)
	}
	attr(samlAttrDuration, strconv.Itoa(c.consoleSecs))

	resp.AddChild(s.signSAML(a))
	out, err := doc.WriteToBytes()
	if err != nil {
		panic(fmt.Sprintf("ststest: write SAML response: %v", err))
	}
	return base64.StdEncoding.EncodeToString(out)
}

// signSAML returns the assertion with an enveloped XML signature by the
// provider's key placed after its Issuer, where SAML's schema puts it.
// goxmldsig computes the digest and signature; no canonicalisation is
// written here.
func (s *Server) signSAML(a *etree.Element) *etree.Element {
	key, cert := s.saml.keys()
	ctx, err := dsig.NewSigningContext(key, [][]byte{cert.Raw})
	if err != nil {
		panic(fmt.Sprintf("ststest: SAML signing context: %v", err))
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	sig, err := ctx.ConstructSignature(a, true)
	if err != nil {
		panic(fmt.Sprintf("ststest: sign SAML assertion: %v", err))
	}
	a.InsertChildAt(a.SelectElement("saml:Issuer").Index()+1, sig)
	return a
}

// serveSAML answers the assertion endpoint and reports whether r was for
// it.
func (s *Server) serveSAML(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != samlAssertionPath {
		return false
	}
	q := r.URL.Query()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(s.SAMLAssertion(q.Get("user"), q["role"]...)))
	return true
}
