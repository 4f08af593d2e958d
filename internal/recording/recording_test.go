package recording

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
)

type calls map[int64]*outdial.Call

func (c calls) Call(_ context.Context, tenantID, id int64) (*outdial.Call, error) {
	if x, ok := c[id]; ok && x.TenantID == tenantID {
		return x, nil
	}
	return nil, outdial.Errorf(outdial.ENOTFOUND, "call not found")
}
func (calls) Calls(context.Context, outdial.CallFilter) ([]*outdial.Call, error) { return nil, nil }
func (calls) CountCalls(context.Context, outdial.CallFilter) (int64, error)      { return 0, nil }

func TestLinks(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "recordings/2026-03-02"), 0o755)
	os.WriteFile(filepath.Join(dir, "recordings/2026-03-02/a.wav"), []byte("RIFFdata"), 0o644)
	clk := clock.NewVirtual(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
	l := &Links{Key: []byte("0123456789abcdef0123456789abcdef"), Clock: clk, DataDir: dir,
		Store: calls{7: {ID: 7, TenantID: 1, Recording: "recordings/2026-03-02/a.wav"}, 8: {ID: 8, TenantID: 1, Recording: "../../etc/passwd"}}}
	mux := http.NewServeMux()
	l.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	l.BaseURL = srv.URL
	get := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	good := l.URL(1, 7)
	if code, body := get(good); code != 200 || body != "RIFFdata" {
		t.Fatalf("good link: %d %q", code, body)
	}
	for name, u := range map[string]string{
		"forged signature": good[:len(good)-4] + "beef",
		"other tenant":     strings.Replace(good, "/recordings/1/", "/recordings/2/", 1),
		"other call":       strings.Replace(good, "/7.wav", "/8.wav", 1),
		"no signature":     srv.URL + "/recordings/1/7.wav",
	} {
		if code, _ := get(u); code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, code)
		}
	}
	if code, _ := get(l.URL(1, 8)); code != http.StatusNotFound {
		t.Errorf("a recording path outside the data directory: %d, want 404", code)
	}
	clk.Advance(DefaultTTL + time.Second)
	if code, _ := get(good); code != http.StatusGone {
		t.Errorf("expired link: %d, want 410", code)
	}
}
