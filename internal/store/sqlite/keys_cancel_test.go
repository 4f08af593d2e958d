package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// Chunks whose context ends mid-transaction leave the keys in memory as they were.
func TestCancelledChunksDuringImport(t *testing.T) {
	f := newFixture(t)
	b := f.batch
	end, err := f.s.BeginContactImport(context.Background(), b.TenantID, b.ID)
	f.must(err)
	f.expect("import", f.add(0, 10000), 10000)
	failed := 0
	for round := 0; round < 30; round++ {
		var cs []*outdial.Contact
		for i := 0; i < 8192; i++ {
			cs = append(cs, &outdial.Contact{TenantID: b.TenantID, TaskID: b.TaskID, BatchID: b.ID, Phone: phone(10000 + round*1000 + i)})
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(round%10)*4*time.Millisecond)
		if _, err := f.s.AddContacts(ctx, cs); err != nil {
			failed++
		}
		cancel()
	}
	end()
	t.Logf("%d of 30 chunks failed", failed)
	n := f.count(`SELECT count(*) FROM contacts WHERE batch_id = ?`, b.ID)
	f.expect("distinct", f.count(`SELECT count(DISTINCT phone) FROM contacts WHERE batch_id = ?`, b.ID), n)
	f.expect("keys", f.count(`SELECT (SELECT count(*) FROM contact_keys WHERE batch_id = ?1) + (SELECT coalesce(sum(length(keys)), 0) / 8 FROM contact_key_runs WHERE batch_id = ?1)`, b.ID), n)
	var all []string
	for i := 0; i < 10000+29*1000+8192; i++ {
		all = append(all, phone(i))
	}
	added := reviewAdd(t, f.s, b, all...)
	again := 0
	for _, a := range added {
		if a {
			again++
		}
	}
	f.expect("numbers accepted when all are added again", again, len(all)-n)
}
