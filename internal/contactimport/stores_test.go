package contactimport

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/store/storetest"
)

// recorder passes AddContacts to a real store and keeps what each call answered.
type recorder struct {
	outdial.Store
	added []outdial.Contact // copies of the contacts the store said were new, in call order
}

func (r *recorder) AddContacts(ctx context.Context, cs []*outdial.Contact) ([]bool, error) {
	added, err := r.Store.AddContacts(ctx, cs)
	for i, ok := range added {
		if ok {
			r.added = append(r.added, *cs[i])
		}
	}
	return added, err
}

// On both databases, an upload whose numbers repeat within and across chunks and repeat
// numbers already in the batch adds each new number once, under the id the database
// holds for it, in upload order; and the batch and task counters follow.
func TestImportIntoStores(t *testing.T) {
	if testing.Short() {
		t.Skip("uses SQLite and PostgreSQL")
	}
	stores := map[string]func(testing.TB) *sqlstore.Store{
		"sqlite":   func(tb testing.TB) *sqlstore.Store { return storetest.OpenSQLite(tb, nil) },
		"postgres": func(tb testing.TB) *sqlstore.Store { return storetest.OpenPostgres(tb, nil) },
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			b := newBatch(t, s)
			ctx := context.Background()
			// Numbers 0 to 99 are in the batch before the upload.
			var early []*outdial.Contact
			for i := range 100 {
				early = append(early, &outdial.Contact{TenantID: b.TenantID, TaskID: b.TaskID, BatchID: b.ID, Phone: phone(i)})
			}
			if _, err := s.AddContacts(ctx, early); err != nil {
				t.Fatal(err)
			}
			// 3,000 rows: every 7th repeats a number 1,000 rows back (another chunk), every
			// 11th one of the batch's, every 13th the row before (the same chunk).
			var csv strings.Builder
			csv.WriteString("phone,name\n")
			want, seen := 0, map[int]bool{}
			for i := range 100 {
				seen[i] = true
			}
			for row := range 3000 {
				n := 100 + row
				switch {
				case row%7 == 0 && row >= 1000:
					n = 100 + row - 1000
				case row%11 == 0:
					n = row % 100
				case row%13 == 0 && row > 0:
					n = 100 + row - 1
				}
				if !seen[n] {
					seen[n] = true
					want++
				}
				fmt.Fprintf(&csv, "%s,n%d\n", phone(n), row)
			}
			rec := &recorder{Store: s}
			res, err := importCSV(t, &Importer{Store: rec, ChunkSize: 700}, b, csv.String())
			if err != nil {
				t.Fatal(err)
			}
			if res.SuccessCount != want || res.DuplicateCount != 3000-want || res.FailCount != 0 {
				t.Fatalf("%d added, %d duplicates, %d failed; want %d added", res.SuccessCount, res.DuplicateCount, res.FailCount, want)
			}
			if len(rec.added) != want {
				t.Fatalf("the store said %d were new, want %d", len(rec.added), want)
			}
			for i, c := range rec.added {
				if i > 0 && c.ID <= rec.added[i-1].ID {
					t.Fatalf("contact %d (%s) has id %d after %d: not in upload order", i, c.Phone, c.ID, rec.added[i-1].ID)
				}
				got, err := s.Contact(ctx, b.TenantID, c.ID)
				if err != nil || got.Phone != c.Phone || got.Name != c.Name || got.Status != outdial.ContactPending {
					t.Fatalf("contact %d: the store answered id %d for %s %s; the database holds %+v, %v", i, c.ID, c.Phone, c.Name, got, err)
				}
			}
			batch, err := s.Batch(ctx, b.TenantID, b.ID)
			if err != nil || batch.Size != int64(100+want) {
				t.Fatalf("batch size %d, %v; want %d", batch.Size, err, 100+want)
			}
			p, err := s.TaskProgress(ctx, b.TenantID, b.TaskID)
			if err != nil || p.Total != int64(100+want) || p.Pending != int64(100+want) {
				t.Fatalf("progress %+v, %v; want %d total and pending", p, err, 100+want)
			}
		})
	}
}

// phone is the i-th of a run of valid mobiles.
func phone(i int) string { return fmt.Sprintf("1380013%04d", i) }

// newBatch creates a tenant, a task and an empty batch in s.
func newBatch(tb testing.TB, s outdial.Store) *outdial.Batch {
	tb.Helper()
	ctx := context.Background()
	tenant := &outdial.Tenant{Name: "t"}
	must(tb, s.CreateTenant(ctx, tenant))
	g := &outdial.ScriptGroup{TenantID: tenant.ID, Name: "robot"}
	must(tb, s.CreateScriptGroup(ctx, g))
	l := &outdial.Line{TenantID: tenant.ID, Name: "line", Gateway: "127.0.0.1:5060", CallerNumbers: []string{"02100000000"},
		Concurrency: 10, CallsPerSecond: 10}
	must(tb, s.CreateLine(ctx, l))
	task := &outdial.Task{TenantID: tenant.ID, Name: "task", LineID: l.ID, ScriptGroupID: g.ID}
	must(tb, s.CreateTask(ctx, task))
	b := &outdial.Batch{TenantID: tenant.ID, TaskID: task.ID, Name: "upload"}
	must(tb, s.CreateBatch(ctx, b))
	return b
}
