package ststest

import (
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/stretchr/testify/require"
)

// TestVerifySAMLResponse checks what no assertion of SAMLAssertion's can
// carry (another audience or recipient, a shorter validity, the Role pair
// the other way round) on responses minted with other claims and signed
// with the provider's own key.
func TestVerifySAMLResponse(t *testing.T) {
	clock := NewClock(time.Now())
	srv := NewServer(t, WithClock(clock.Now))
	role := "arn:aws:iam::123456789012:role/R"
	claims := func(edit func(*samlClaims)) string {
		c := samlClaims{subject: "alice", roleARNs: []string{role}, issued: clock.Now(), validFor: samlAssertionLifetime,
			audience: samlAWSEndpoint, recipient: samlAWSEndpoint, issuer: srv.samlIssuer(), consoleSecs: 3600}
		edit(&c)
		return srv.mintSAMLResponse(c)
	}
	tests := []struct {
		name    string
		edit    func(*samlClaims)
		advance time.Duration
		code    string
		message string
	}{
		{"AWS's URN as audience", func(c *samlClaims) { c.audience = samlAWSURN }, 0, "", ""},
		{"another audience", func(c *samlClaims) { c.audience = "https://sp.example/saml" }, 0, "InvalidIdentityToken", msgSAMLNoAudience},
		{"another recipient", func(c *samlClaims) { c.recipient = "https://sp.example/acs" }, 0, "InvalidIdentityToken", msgSAMLNoRecipient},
		{"valid one minute, used after two", func(c *samlClaims) { c.validFor = time.Minute }, 2 * time.Minute, "ExpiredTokenException", msgSAMLExpired},
		{"issued five minutes ago", func(c *samlClaims) {}, samlAssertionLifetime + time.Second, "ExpiredTokenException", msgSAMLTooOld},
		{"another issuer", func(c *samlClaims) { c.issuer = "https://idp.example/" }, 0, "InvalidIdentityToken", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			response := claims(tt.edit)
			clock.Advance(tt.advance)
			facts, e := srv.verifySAMLResponse(response, clock.Now())
			if tt.code == "" {
				require.Nil(t, e)
				require.Equal(t, [][2]string{{role, srv.SAMLProviderARN()}}, facts.rolePairs)
				return
			}
			require.NotNil(t, e, "got success, want %s", tt.code)
			require.Equal(t, tt.code, e.code)
			if tt.message != "" {
				require.Equal(t, tt.message, e.message)
			}
		})
	}
	t.Run("base64 wrapped in lines", func(t *testing.T) {
		response := claims(func(*samlClaims) {})
		var lines []string
		for len(response) > 76 {
			lines, response = append(lines, response[:76]), response[76:]
		}
		_, e := srv.verifySAMLResponse(strings.Join(append(lines, response), "\r\n"), clock.Now())
		require.Nil(t, e)
	})
	t.Run("the Role pair provider first", func(t *testing.T) {
		doc := etree.NewDocument()
		require.NoError(t, doc.ReadFromString(`<saml:Assertion xmlns:saml="`+samlAssertionNS+`"><saml:AttributeStatement>`+
			`<saml:Attribute Name="`+samlAttrRole+`"><saml:AttributeValue>`+srv.SAMLProviderARN()+`, `+role+`</saml:AttributeValue>`+
			`<saml:AttributeValue>no comma</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`))
		var facts samlFacts
		readSAMLAttributes(doc.Root(), &facts)
		require.Equal(t, [][2]string{{role, srv.SAMLProviderARN()}}, facts.rolePairs)
		require.False(t, facts.hasSessionName)
	})
}
