package autocall

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// TestPagingWhileCallsArrive pages through 10,000 CDRs with searchAfter, 100 at a time,
// while another goroutine keeps adding calls: every CDR comes exactly once, in call id
// order, and a search bounded in time returns exactly the 10,000.
func TestPagingWhileCallsArrive(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 10,000 CDRs")
	}
	e := newEnv(t)
	tn := e.newTenant("acme")
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, shanghai)
	const total = 10_000
	want := map[int64]bool{}
	for start := 0; start < total; start += 500 {
		batch := make([]cdr, 500)
		for i := range batch {
			batch[i] = cdr{at: day.Add(time.Duration(start+i) * 5 * time.Second), result: outdial.ResultAnswered,
				by: outdial.HangupCustomer}
		}
		for _, c := range tn.addCalls(t, batch...) {
			want[c.ID] = true
		}
	}
	for _, walk := range []struct {
		name   string
		filter string
		exact  bool
	}{
		{"every call", `"taskId":"` + itoa(tn.task.ID) + `"`, false},
		{"the first day", `"startTime":{"gte":"2026-03-01 00:00:00","lte":"2026-03-01 23:59:59"}`, true},
	} {
		t.Run(walk.name, func(t *testing.T) {
			bg := &bgTB{TB: t}
			stop, done := make(chan struct{}), make(chan struct{})
			added := map[int64]bool{}
			go func() { // new calls, a day later, 20 at a time, until the walk ends (at most 2,000)
				defer close(done)
				at := day.Add(24 * time.Hour)
				for range 100 {
					select {
					case <-stop:
						return
					default:
					}
					batch := make([]cdr, 20)
					for i := range batch {
						at = at.Add(time.Second)
						batch[i] = cdr{at: at, result: outdial.ResultNoAnswer}
					}
					for _, c := range tn.addCalls(bg, batch...) {
						bg.mu.Lock()
						added[c.ID] = true
						bg.mu.Unlock()
					}
				}
			}()
			seen, pages := walkPages(t, tn, walk.filter)
			close(stop)
			<-done
			bg.check()
			got := 0
			for i, id := range seen {
				if i > 0 && id <= seen[i-1] {
					t.Fatalf("call %d came after %d: out of order or repeated", id, seen[i-1])
				}
				switch {
				case want[id]:
					got++
				case walk.exact || !added[id]:
					t.Fatalf("call %d is not one of the calls searched for", id)
				}
			}
			if got != total {
				t.Fatalf("%d of the %d CDRs came, in %d pages", got, total, pages)
			}
			t.Logf("%d pages, %d CDRs, %d of the %d calls added during the walk", pages, len(seen), len(seen)-total, len(added))
		})
	}
}

// walkPages follows searchAfter to the last page and returns the call ids in order.
func walkPages(t *testing.T, tn *tenant, filter string) ([]int64, int) {
	var seen []int64
	after := ""
	for pages := 1; ; pages++ {
		body := `{"perPage":100,` + filter + after + `}`
		p := tn.search(body)
		for _, r := range p.Results {
			id, err := strconv.ParseInt(fmt.Sprint(r["callId"]), 10, 64)
			must(t, err)
			seen = append(seen, id)
		}
		if p.SearchAfter == nil {
			return seen, pages
		}
		if len(p.Results) != 100 {
			t.Fatalf("page %d has %d results and a searchAfter", pages, len(p.Results))
		}
		after = `,"searchAfter":"` + *p.SearchAfter + `"`
		if pages > 1000 {
			t.Fatal("the walk does not end")
		}
	}
}

// bgTB lets a helper that fails through testing.TB run in a background goroutine: a
// failure is recorded and ends that goroutine; check reports it in the test's.
type bgTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (b *bgTB) Helper() {}

func (b *bgTB) Fatalf(format string, args ...any) {
	b.mu.Lock()
	b.errs = append(b.errs, fmt.Sprintf(format, args...))
	b.mu.Unlock()
	runtime.Goexit()
}

func (b *bgTB) Fatal(args ...any) { b.Fatalf("%s", fmt.Sprint(args...)) }

func (b *bgTB) check() {
	b.TB.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errs {
		b.TB.Error("adding calls: " + e)
	}
}
