package native

import (
	"net/http"
	"testing"
)

// pages follows next_cursor from first and returns the keys of every page.
func pages(t *testing.T, c *caller, first string, key string) [][]string {
	t.Helper()
	var out [][]string
	url := first
	for i := 0; i < 10; i++ {
		var p page[map[string]any]
		c.do("GET", url, nil).ok(t, http.StatusOK, &p)
		var keys []string
		for _, item := range p.Data {
			keys = append(keys, path("%v", item[key]))
		}
		out = append(out, keys)
		if p.NextCursor == nil {
			return out
		}
		url = first + "&cursor=" + *p.NextCursor
	}
	t.Fatal("more than 10 pages")
	return nil
}

func TestPagination(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	var ids []string
	for _, name := range []string{"a", "b", "c"} {
		id := a.do("POST", "/api/v1/lines", m{"name": name, "gateway": "127.0.0.1:5060", "caller_numbers": []string{"1"},
			"concurrency": 1}).id(t)
		ids = append(ids, path("%d", id))
	}
	got := pages(t, a, "/api/v1/lines?limit=2", "id")
	if len(got) != 2 || len(got[0]) != 2 || len(got[1]) != 1 || got[0][0] != ids[0] || got[0][1] != ids[1] || got[1][0] != ids[2] {
		t.Fatalf("pages = %v, want %v in pages of 2", got, ids)
	}
	got = pages(t, a, "/api/v1/lines?limit=3", "id")
	if len(got) != 2 || len(got[0]) != 3 || len(got[1]) != 0 {
		t.Fatalf("pages = %v, want a full page then an empty one", got)
	}
	var p page[lineOut]
	a.do("GET", "/api/v1/lines", nil).ok(t, http.StatusOK, &p)
	if len(p.Data) != 3 || p.NextCursor != nil {
		t.Fatalf("default page = %d items, cursor %v", len(p.Data), p.NextCursor)
	}

	w := a.world(t)
	wantImport(t, e.send(a, "POST", path("/api/v1/batches/%d/contacts", w.batch),
		"phone\n13800000001\n13800000002\n13800000003\n13800000004\n13800000005\n", "text/csv"), 5, 0, 0)
	got = pages(t, a, path("/api/v1/contacts?batch_id=%d&limit=2", w.batch), "phone")
	if len(got) != 3 || len(got[2]) != 1 || got[2][0] != "13800000005" {
		t.Fatalf("contact pages = %v", got)
	}
	got = pages(t, a, "/api/v1/contacts?status=finished&limit=2", "phone")
	if len(got) != 1 || len(got[0]) != 0 {
		t.Fatalf("finished contacts = %v, want none", got)
	}
}

func TestBlocklist(t *testing.T) {
	e := newEnv(t)
	a := e.newTenant("acme")
	var b blockedOut
	a.do("POST", "/api/v1/blocklist", m{"phone": "+86 188 5149 8762", "reason": "complaint"}).ok(t, http.StatusCreated, &b)
	if b.Phone != "18851498762" || b.Reason != "complaint" || b.CreatedAt == nil {
		t.Fatalf("blocked = %+v", b)
	}
	a.do("POST", "/api/v1/blocklist", m{"phone": "8618851498762", "reason": "asked twice"}).ok(t, http.StatusCreated, nil)
	for _, p := range []string{"13800000002", "13800000001", "075512345678"} {
		a.do("POST", "/api/v1/blocklist", m{"phone": p}).ok(t, http.StatusCreated, nil)
	}
	got := pages(t, a, "/api/v1/blocklist?limit=2", "phone")
	want := [][]string{{"075512345678", "13800000001"}, {"13800000002", "18851498762"}, nil}
	if path("%v", got) != path("%v", want) {
		t.Fatalf("blocklist pages = %v, want %v", got, want)
	}
	var list page[blockedOut]
	a.do("GET", "/api/v1/blocklist", nil).ok(t, http.StatusOK, &list)
	if list.Data[3].Reason != "asked twice" {
		t.Fatalf("blocking again did not update the reason: %+v", list.Data[3])
	}
	if blocked, _ := e.store.IsBlocked(ctx, a.tenant.ID, "18851498762"); !blocked {
		t.Fatal("the store does not block the number")
	}
	a.do("DELETE", "/api/v1/blocklist/+8618851498762", nil).ok(t, http.StatusNoContent, nil)
	a.do("DELETE", "/api/v1/blocklist/18851498762", nil).fails(t, http.StatusNotFound, "not_found", "")
	a.do("DELETE", "/api/v1/blocklist/not-a-number", nil).fails(t, http.StatusNotFound, "not_found", "")
	if blocked, _ := e.store.IsBlocked(ctx, a.tenant.ID, "18851498762"); blocked {
		t.Fatal("the number is still blocked")
	}
}
