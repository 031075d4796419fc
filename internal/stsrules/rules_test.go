package stsrules

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParamCheck(t *testing.T) {
	tests := []struct {
		name  string
		p     Param
		value string
		want  string // "" means valid
	}{
		{"session name ok", RoleSessionName, "alice@example.com", ""},
		{"session name colon", RoleSessionName, "a:b", "1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"},
		{"session name brackets", RoleSessionName, "dependabot[bot]", "regular expression pattern"},
		{"session name short", RoleSessionName, "a", "Member must have length greater than or equal to 2"},
		{"session name long", RoleSessionName, strings.Repeat("a", 65), "Member must have length less than or equal to 64"},
		{"external id slash colon", ExternalID, "urn:x/y", ""},
		{"token code ok", TokenCode, "012345", ""},
		{"token code letters", TokenCode, "12345a", "pattern: [\\d]*"},
		{"token code unicode digit", TokenCode, "١٢٣٤٥٦", "pattern"},
		{"token code short", TokenCode, "12345", "greater than or equal to 6"},
		{"serial arn", SerialNumber, "arn:aws:iam::123456789012:mfa/alice", ""},
		{"serial space", SerialNumber, "arn:aws:iam::123456789012:mfa/al ice", "pattern"},
		{"tag key unicode", TagKey, "Ünïcode key", ""},
		{"tag key empty", TagKey, "", "greater than or equal to 1"},
		{"tag value empty ok", TagValue, "", ""},
		{"tag value bad", TagValue, "a*b", "pattern"},
		{"policy control char", Policy, "{\x01}", "pattern"},
		{"federation name long", FederationName, strings.Repeat("n", 33), "less than or equal to 32"},
		{"role arn newline ok", RoleARN, "arn:aws:iam::123456789012:role/x", ""},
		{"role arn short", RoleARN, "arn:aws:iam::1:r", "greater than or equal to 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.p.Check(tt.value)
			if tt.want == "" {
				assert.Nil(t, v)
				return
			}
			if assert.NotNil(t, v) {
				assert.Contains(t, v.Error(), tt.want)
			}
		})
	}
}

func TestCheckRangeAndMessage(t *testing.T) {
	v := CheckRange("durationSeconds", 899, MinDurationSeconds, MaxAssumeRoleSeconds)
	assert.Equal(t, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", v.Error())
	assert.Nil(t, CheckRange("durationSeconds", 900, 900, 43200))
	v2 := CheckRange("durationSeconds", 43201, 900, 43200)
	assert.Equal(t, "2 validation errors detected: "+v.Detail()+"; "+v2.Detail(), Message([]*Violation{v, v2}))
}

func TestParseIAMARN(t *testing.T) {
	tests := []struct {
		in, kind, name, wantErr string
	}{
		{"arn:aws:iam::123456789012:role/Admin", "role", "Admin", ""},
		{"arn:aws:iam::123456789012:role/ops/team/Admin", "role", "Admin", ""},
		{"arn:aws-cn:iam::123456789012:mfa/alice", "mfa", "alice", ""},
		{"arn:aws-us-gov:iam::123456789012:user/alice", "user", "alice", ""},
		{"arn:aws:iam::123456789012:user/alice", "role", "", "is not role/NAME"},
		{"arn:aws:sts::123456789012:role/x", "role", "", "want iam"},
		{"arn:aws:iam:us-east-1:123456789012:role/x", "role", "", "empty region"},
		{"arn:aws:iam::12345:role/x", "role", "", "12 digits"},
		{"arn:awz:iam::123456789012:role/x", "role", "", "unknown partition"},
		{"role/x", "role", "", "not an ARN"},
		{"arn:aws:iam::123456789012:role/", "role", "", "is not role/NAME"},
		{"arn:aws:iam::123456789012:role/a b", "role", "", "must be 1-64"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, name, err := ParseIAMARN(tt.in, tt.kind)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				assert.Equal(t, tt.name, name)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
		})
	}
}

func TestPartitionForRegion(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eu-isoe-west-1": "aws-iso-e",
	} {
		assert.Equal(t, want, PartitionForRegion(region), "region %q", region)
	}
	assert.True(t, IsHardwareSerial("GAHT12345678"))
	assert.False(t, IsHardwareSerial("arn:aws:iam::123456789012:mfa/x"))
}

func TestIsSigningRegion(t *testing.T) {
	for region, want := range map[string]bool{
		"us-east-1": true, "eu-west-1": true, "cn-north-1": true, "us-gov-west-1": true,
		"xx-fake-1": false, "aws-global": false, "US-EAST-1": false, "": false,
	} {
		if got := IsSigningRegion(region); got != want {
			t.Errorf("IsSigningRegion(%q): got %v, want %v", region, got, want)
		}
	}
}
