package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/api/autocall"
	"github.com/outdial/outdial/internal/auth"
)

// BenchmarkCDRSearch measures the autocall CDR search through HTTP over 10,000,000 CDRs
// (cdr_data_test.go) in SQLite and in PostgreSQL: a page of 100 for a task and a day, a
// called number, and a task, a day and a callresult (1: 35% of calls; 2: 5%), at the
// first page and at a cursor 90% deep into the result. Each op is one request; it
// reports the median and 99th percentile latency. Every request of a run asks for a
// different page (40 tasks and days, or numbers, in turn). The contacts' external ids
// (userData.extId) come with the CDRs.
func BenchmarkCDRSearch(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			w := openCDRWorld(b, db)
			defer w.store.Close()
			s := newCDRServer(b, w)
			for _, kind := range []string{"task+day", "called", "task+day+callresult=1", "task+day+callresult=2"} {
				for _, depth := range []string{"first", "deep"} {
					reqs := s.requests(b, kind, depth)
					s.warm(b, reqs)
					b.Run(kind+"/"+depth, func(b *testing.B) { s.measure(b, reqs) })
				}
			}
		})
	}
}

// measure sends the requests in turn, one per op, and reports the latency percentiles.
func (s *cdrServer) measure(b *testing.B, reqs []string) {
	lat := make([]time.Duration, 0, b.N)
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		s.post(b, reqs[i%len(reqs)])
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[(len(lat)*99+99)/100-1]), "p99-ms")
}

// cdrServer is the autocall dialect over the benchmark's data on 127.0.0.1.
type cdrServer struct {
	w      *cdrWorld
	h      *autocall.Handler
	url    string
	token  string
	client *http.Client
}

func newCDRServer(b *testing.B, w *cdrWorld) *cdrServer {
	h := autocall.New(autocall.Config{Store: w.store, CursorKey: []byte("benchmark cursor key")})
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	tok, err := auth.Issue(context.Background(), w.store, w.tenantID)
	must(b, err)
	return &cdrServer{w: w, h: h, url: srv.URL + "/api/v1/cdr/search", token: tok,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
}

// requests returns 40 search bodies of a kind, each at the first page or deep.
func (s *cdrServer) requests(b *testing.B, kind, depth string) []string {
	w := s.w
	var out []string
	for j := range int64(40) {
		body := map[string]any{"perPage": 100}
		var after int64
		if kind == "called" {
			k := (j*2654435761 + 12345) % (w.calls / 2)
			body["called"] = cdrPhone(k)
			after = w.cdrID(k) // its first call; the second is half the period later
		} else {
			task, day := w.task0+j%cdrTasks, (j*7)%cdrDays
			from := cdrStart.Add(time.Duration(day) * 24 * time.Hour)
			body["taskId"] = fmt.Sprint(task)
			body["startTime"] = map[string]string{"gte": from.Format("2006-01-02 15:04:05"),
				"lte": from.Add(24*time.Hour - time.Second).Format("2006-01-02 15:04:05")}
			where := fmt.Sprintf("tenant_id = %d AND task_id = %d AND id >= %d AND id < %d", w.tenantID, task,
				outdial.CallIDFloor(from), outdial.CallIDFloor(from.Add(24*time.Hour)))
			if r, ok := strings.CutPrefix(kind, "task+day+callresult="); ok {
				body["callresult"] = r
				where += " AND callresult = " + r
			}
			var n int64
			must(b, w.store.DB().QueryRow(`SELECT count(*) FROM calls WHERE `+where).Scan(&n))
			must(b, w.store.DB().QueryRow(fmt.Sprintf(`SELECT id FROM calls WHERE %s ORDER BY id LIMIT 1 OFFSET %d`, where, n*9/10)).Scan(&after))
		}
		if depth == "deep" {
			body["searchAfter"] = s.h.CursorAfter(w.tenantID, after)
		}
		j, err := json.Marshal(body)
		must(b, err)
		out = append(out, string(j))
	}
	return out
}

// warm sends every request once (statements prepared, pages cached) and checks that each
// answers a non-empty page.
func (s *cdrServer) warm(b *testing.B, reqs []string) {
	for _, r := range reqs {
		var env struct {
			Code int
			Data struct{ Results []json.RawMessage }
		}
		if err := json.Unmarshal(s.post(b, r), &env); err != nil || env.Code != 0 || len(env.Data.Results) == 0 {
			b.Fatalf("%s: code %d, %d results, %v", r, env.Code, len(env.Data.Results), err)
		}
	}
}

// post sends one search and returns the answer's body.
func (s *cdrServer) post(b *testing.B, body string) []byte {
	req, err := http.NewRequest("POST", s.url, strings.NewReader(body))
	must(b, err)
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	must(b, err)
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must(b, err)
	if resp.StatusCode != 200 {
		b.Fatalf("%s: %d %s", body, resp.StatusCode, out)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
