package ststest

import (
	"crypto/x509"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// samlFacts are what AssumeRoleWithSAML reads from a verified assertion.
type samlFacts struct {
	issuer, subject, subjectType, recipient string
	sessionName                             string
	hasSessionName                          bool
	rolePairs                               [][2]string // {role ARN, provider ARN}
}

// Texts of STS's answers to a bad SAML response. Quoted from the IAM User
// Guide ("Troubleshoot SAML federation with IAM"): msgSAMLBadSignature,
// msgSAMLNoSessionName, msgSAMLBadSessionName, msgSAMLNoProvider,
// msgSAMLNoAudience (whose code the guide does not give:
// InvalidIdentityToken is a guess) and msgSAMLIssuer, which STS prefixes
// to the answer of the service behind it, as users quote it
// (dbeaver/cloudbeaver#3112). ExpiredTokenException's texts are quoted
// from users: msgSAMLTooOld (Nike-Inc/gimme-aws-creds#251),
// msgSAMLExpired (Versent/saml2aws#759). msgSAMLMalformed and
// msgSAMLNoRecipient are guesses.
const (
	msgSAMLMalformed      = "Invalid SAML response: it is not a base64-encoded SAML 2.0 Response holding one Assertion."
	msgSAMLBadSignature   = "Response signature invalid"
	msgSAMLIssuer         = "Issuer not present in specified provider (Service: AWSOpenIdDiscoveryService; Status Code: 400; Error Code: AuthSamlInvalidSamlResponseException; Request ID: %s; Proxy: null)"
	msgSAMLNoProvider     = "Specified provider doesn't exist."
	msgSAMLNoAudience     = "Response does not contain the required audience."
	msgSAMLNoRecipient    = "Response does not contain the required recipient."
	msgSAMLTooOld         = "Token must be redeemed within 5 minutes of issuance"
	msgSAMLExpired        = "Response has expired"
	msgSAMLNoSessionName  = "RoleSessionName is required in AuthnResponse"
	msgSAMLBadSessionName = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"
)

// verifySAMLResponse checks a base64 SAMLResponse the way STS checks one
// from an IAM SAML provider, in this order: a SAML response holding one
// assertion, an issuer that is the provider's, an XML signature by the
// provider's key over that assertion, an assertion at most five minutes
// old and not past its NotOnOrAfter, AWS's audience and recipient. Every
// fact is read from the element the signature covers, as goxmldsig
// returns it, so that an attacker's unsigned copy beside or around the
// signed one (XML signature wrapping) is never read; the issuer is read
// before, only to refuse a foreign one.
func (s *Server) verifySAMLResponse(encoded string, now time.Time) (samlFacts, *apiError) {
	var facts samlFacts
	// Identity providers may wrap the base64 text in lines.
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return facts, invalidIdentityToken(msgSAMLMalformed)
	}
	doc := etree.NewDocument()
	if doc.ReadFromBytes(raw) != nil || doc.Root() == nil || !isSAML(doc.Root(), samlProtocolNS, "Response") {
		return facts, invalidIdentityToken(msgSAMLMalformed)
	}
	assertions := samlChildren(doc.Root(), "Assertion")
	if len(assertions) != 1 {
		return facts, invalidIdentityToken(msgSAMLMalformed)
	}
	if samlText(assertions[0], "Issuer") != s.samlIssuer() {
		return facts, invalidIdentityToken(strings.Replace(msgSAMLIssuer, "%s", newRequestID(), 1))
	}
	_, cert := s.saml.keys()
	v := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	v.Clock = dsig.NewFakeClockAt(now)
	a, err := v.Validate(assertions[0])
	if err != nil || !isSAML(a, samlAssertionNS, "Assertion") {
		return facts, invalidIdentityToken(msgSAMLBadSignature)
	}
	if e := checkSAMLTimes(a, now); e != nil {
		return facts, e
	}
	cond := samlChild(a, "Conditions")
	audiences := []string{}
	for _, r := range samlChildren(cond, "AudienceRestriction") {
		for _, aud := range samlChildren(r, "Audience") {
			audiences = append(audiences, strings.TrimSpace(aud.Text()))
		}
	}
	if !slices.Contains(audiences, samlAWSEndpoint) && !slices.Contains(audiences, samlAWSURN) {
		return facts, invalidIdentityToken(msgSAMLNoAudience)
	}
	subject := samlChild(a, "Subject")
	data := samlChild(samlChild(subject, "SubjectConfirmation"), "SubjectConfirmationData")
	if data == nil || data.SelectAttrValue("Recipient", "") != samlAWSEndpoint {
		return facts, invalidIdentityToken(msgSAMLNoRecipient)
	}
	facts.issuer, facts.recipient = samlText(a, "Issuer"), samlAWSEndpoint
	if id := samlChild(subject, "NameID"); id != nil {
		facts.subject = strings.TrimSpace(id.Text())
		facts.subjectType = strings.TrimPrefix(id.SelectAttrValue("Format", ""), samlNameIDPrefix)
	}
	readSAMLAttributes(a, &facts)
	return facts, nil
}

// checkSAMLTimes refuses an assertion issued more than five minutes ago,
// then one past the NotOnOrAfter of its conditions or subject
// confirmation. STS checks the issue time first: Okta's assertions, valid
// five minutes, are refused as not redeemed in time
// (Nike-Inc/gimme-aws-creds#251), Keycloak's, valid one, as expired
// (Versent/saml2aws#759). A time that does not parse counts as past.
func checkSAMLTimes(a *etree.Element, now time.Time) *apiError {
	issued, err := time.Parse(time.RFC3339Nano, a.SelectAttrValue("IssueInstant", ""))
	if err != nil || now.Sub(issued) > samlAssertionLifetime {
		return expiredToken(msgSAMLTooOld)
	}
	data := samlChild(samlChild(samlChild(a, "Subject"), "SubjectConfirmation"), "SubjectConfirmationData")
	for _, el := range []*etree.Element{samlChild(a, "Conditions"), data} {
		if el == nil {
			continue
		}
		if v := el.SelectAttrValue("NotOnOrAfter", ""); v != "" {
			end, err := time.Parse(time.RFC3339Nano, v)
			if err != nil || !now.Before(end) {
				return expiredToken(msgSAMLExpired)
			}
		}
	}
	return nil
}

// readSAMLAttributes reads the AWS attributes of a verified assertion.
// A Role value is a role ARN and a provider ARN, in either order, as AWS
// accepts them.
func readSAMLAttributes(a *etree.Element, facts *samlFacts) {
	for _, st := range samlChildren(a, "AttributeStatement") {
		for _, attr := range samlChildren(st, "Attribute") {
			var values []string
			for _, v := range samlChildren(attr, "AttributeValue") {
				values = append(values, strings.TrimSpace(v.Text()))
			}
			switch attr.SelectAttrValue("Name", "") {
			case samlAttrRole:
				for _, v := range values {
					first, second, ok := strings.Cut(v, ",")
					first, second = strings.TrimSpace(first), strings.TrimSpace(second)
					if ok && strings.Contains(first, ":saml-provider/") {
						first, second = second, first
					}
					if ok {
						facts.rolePairs = append(facts.rolePairs, [2]string{first, second})
					}
				}
			case samlAttrSessionName:
				if len(values) > 0 {
					facts.sessionName, facts.hasSessionName = values[0], true
				}
			}
		}
	}
}

// isSAML reports whether el is the element local in namespace ns.
func isSAML(el *etree.Element, ns, local string) bool {
	return el != nil && el.Tag == local && el.NamespaceURI() == ns
}

// samlChildren returns el's child elements named local in the SAML
// assertion namespace; none for a nil el.
func samlChildren(el *etree.Element, local string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if isSAML(c, samlAssertionNS, local) {
			out = append(out, c)
		}
	}
	return out
}

func samlChild(el *etree.Element, local string) *etree.Element {
	if cs := samlChildren(el, local); len(cs) > 0 {
		return cs[0]
	}
	return nil
}

func samlText(el *etree.Element, local string) string {
	if c := samlChild(el, local); c != nil {
		return strings.TrimSpace(c.Text())
	}
	return ""
}
