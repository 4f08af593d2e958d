package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/app"
	"github.com/outdial/outdial/internal/demo"
)

// TestDemoOnce runs "outdial demo --once" for real (server, carrier simulator, SIP calls)
// and checks that every number of the plan ended in the result the plan gives, that busy
// and unanswered numbers were recalled once, and that answered calls were recorded.
func TestDemoOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes about 30 s")
	}
	e := newEnv(t)
	delete(e.vars, "OUTDIAL_DB") // the demo keeps its database in --data
	r := e.run("demo", "--once")
	if r.code != 0 {
		t.Fatalf("demo exited %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !regexp.MustCompile(`(?m)^token: od_[A-Za-z0-9_-]{32}$`).MatchString(r.stdout) ||
		!regexp.MustCompile(`(?m)^base URL: http://127\.0\.0\.1:\d+$`).MatchString(r.stdout) {
		t.Fatalf("the demo did not print its token and base URL:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "100%  20/20 done") {
		t.Errorf("no final progress line:\n%s", r.stdout)
	}
	ctx := context.Background()
	s, err := app.OpenStore(ctx, "sqlite:"+filepath.Join(e.vars["OUTDIAL_DATA"], "outdial.db"), outdial.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tenant, err := s.TenantByName(ctx, demo.TenantName)
	if err != nil {
		t.Fatal(err)
	}
	plan := map[byte]struct {
		res      outdial.Result
		attempts int
		by       outdial.HangupBy
		dtmf     string
	}{
		'0': {outdial.ResultBusy, 2, "", ""}, '1': {outdial.ResultAnswered, 1, outdial.HangupPlatform, ""},
		'2': {outdial.ResultNoAnswer, 2, "", ""}, '3': {outdial.ResultInvalidNumber, 1, "", ""},
		'4': {outdial.ResultAnswered, 1, outdial.HangupPlatform, "1"}, '5': {outdial.ResultAnswered, 1, outdial.HangupPlatform, ""},
		'6': {outdial.ResultFailed, 1, "", ""}, '7': {outdial.ResultAnswered, 1, outdial.HangupCustomer, ""},
		'8': {outdial.ResultRejected, 1, "", ""}, '9': {outdial.ResultAnswered, 1, outdial.HangupCustomer, ""},
	}
	calls, err := s.Calls(ctx, outdial.CallFilter{TenantID: tenant.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	perNumber := map[string][]*outdial.Call{}
	for _, c := range calls {
		perNumber[c.Called] = append(perNumber[c.Called], c)
	}
	for _, n := range demo.Numbers {
		want := plan[n[len(n)-1]]
		cs := perNumber[n]
		if len(cs) != want.attempts {
			t.Errorf("%s: %d calls, want %d", n, len(cs), want.attempts)
			continue
		}
		last := cs[len(cs)-1]
		if last.Result != want.res || last.HangupBy != want.by || last.DTMF != want.dtmf {
			t.Errorf("%s: %s hung up by %q keys %q (SIP %d %s), want %s by %q keys %q", n, last.Result, last.HangupBy,
				last.DTMF, last.SIPStatus, last.Reason, want.res, want.by, want.dtmf)
		}
		if last.CalledAreaCode == "" || last.CalledAreaName == "" || last.CalledVendor == "" {
			t.Errorf("%s: CDR without the number's location (area %q %q, carrier %q)", n, last.CalledAreaCode, last.CalledAreaName, last.CalledVendor)
		}
		if (last.Result == outdial.ResultAnswered) != (last.Recording != "") {
			t.Errorf("%s: result %s with recording %q", n, last.Result, last.Recording)
		}
	}
}
