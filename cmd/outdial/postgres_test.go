package main

import (
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/outdial/outdial/internal/store/storetest"
)

// TestPostgres runs the binary's commands on PostgreSQL (OUTDIAL_TEST_POSTGRES; skipped
// without it, except under CI=true) and checks the password in --db never reaches the logs.
func TestPostgres(t *testing.T) {
	u, err := url.Parse(storetest.NewPostgresDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	user := "postgres"
	if u.User != nil {
		user = u.User.Username()
	}
	u.User = url.UserPassword(user, "pg-s3cret") // the test server trusts local users
	dsn := u.String()

	e := newEnv(t)
	e.vars["OUTDIAL_DB"] = dsn
	if r := e.run("migrate"); r.code != 0 || strings.Contains(r.stderr, "pg-s3cret") {
		t.Fatalf("migrate: exit %d, stderr %q", r.code, r.stderr)
	}
	token := strings.TrimSpace(e.mustRun("tenant", "create", "acme"))
	if !tokenLine.MatchString(token + "\n") {
		t.Fatalf("token %q", token)
	}
	s := e.serve(nil)
	if code := s.call("GET", "/healthz", "", "", "", nil); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	var tenant struct{ Name string }
	if code := s.call("GET", "/api/v1/tenant", token, "", "", &tenant); code != 200 || tenant.Name != "acme" {
		t.Fatalf("/api/v1/tenant: %d %+v", code, tenant)
	}
	batch := setUpBatch(t, s, token)
	csv := writeFile(t, filepath.Join(e.dir, "c.csv"), "手机号码,姓名\n13800138000,张三\n13800138000,again\nnope,bad\n")
	r := e.run("import", "--tenant", "acme", "--batch", strconv.FormatInt(batch, 10), csv)
	if r.code != 0 || !strings.Contains(r.stdout, `"successCount": 1`) || !strings.Contains(r.stdout, `"duplicateCount": 1`) ||
		!strings.Contains(r.stdout, `"failCount": 1`) {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	s.stop()
	logs := s.stderr.String()
	if strings.Contains(logs, "pg-s3cret") || !strings.Contains(logs, user+":****@") {
		t.Fatalf("the startup log must mask the database password:\n%s", logs)
	}
}
