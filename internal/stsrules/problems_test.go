package stsrules

import "testing"

func TestReportMixesProblems(t *testing.T) {
	ps := []Problem{Missing{Member: "roleSessionName"}}
	for _, v := range RoleARN.CheckAll("") {
		ps = append(ps, v)
	}
	got := Report(ps)
	want := "3 validation errors detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null; " +
		"Value '' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " + RoleARN.Pattern + "; " +
		"Value '' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := Report([]Problem{Missing{Member: "name"}}), "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCheckAll(t *testing.T) {
	tests := []struct {
		p     Param
		value string
		want  int
	}{
		{RoleSessionName, "ok-name", 0},
		{RoleSessionName, "a", 1},
		{RoleSessionName, "a:b", 1},
		{RoleSessionName, "x", 1},
		{TokenCode, "12a", 2},
		{ExternalID, "", 1},
	}
	for _, tt := range tests {
		if got := len(tt.p.CheckAll(tt.value)); got != tt.want {
			t.Errorf("%s.CheckAll(%q): got %d violations, want %d", tt.p.Member, tt.value, got, tt.want)
		}
	}
	if v := TooMany("policyArns", make([]string, 11), 10); v == nil {
		t.Error("TooMany(11 > 10): got nil, want a violation")
	}
	if v := TooMany("policyArns", make([]string, 10), 10); v != nil {
		t.Errorf("TooMany(10 <= 10): got %v, want nil", v)
	}
}
