package contactimport

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/contactfile"
	"github.com/outdial/outdial/internal/phoneinfo"
)

// ctxCheckRows is how often, in rows, a run looks at its context between chunks.
const ctxCheckRows = 4096

// run is the state of one import. Its contacts are reused from chunk to chunk, so the
// memory of an import is bounded by the chunk size, not the upload's.
type run struct {
	store    outdial.ContactStore
	ctx      context.Context
	batch    *outdial.Batch
	now      time.Time
	res      Result
	contacts []outdial.Contact
	chunk    []*outdial.Contact  // chunk[i] == &contacts[i]
	n        int                 // contacts waiting in chunk
	seen     map[string]struct{} // normalised phones waiting in chunk
	rows     int                 // rows since the last context check
}

// add validates one row and puts it in the chunk, storing the chunk when it is full.
func (r *run) add(row *contactfile.Row, num int) error {
	if row.Phone == "" {
		r.fail(num, "", "phone", "missing phone")
		return r.tick()
	}
	info, err := phoneinfo.Lookup(row.Phone)
	if err != nil {
		r.fail(num, row.Phone, "phone", "invalid phone number")
		return r.tick()
	}
	if _, dup := r.seen[info.Number]; dup {
		r.res.DuplicateCount++
		return r.tick()
	}
	c := r.chunk[r.n]
	*c = outdial.Contact{
		TenantID:      r.batch.TenantID,
		TaskID:        r.batch.TaskID,
		BatchID:       r.batch.ID,
		Phone:         info.Number,
		Name:          row.Name,
		Address:       row.Address,
		Email:         row.Email,
		State:         row.State,
		CallbackURL:   row.CallbackURL,
		ExternalID:    row.ExternalID,
		Variables:     row.Variables,
		AreaCode:      info.AreaCode,
		AreaName:      info.AreaName,
		Type:          info.Type,
		Carrier:       info.Carrier,
		Status:        outdial.ContactPending,
		NextAttemptAt: r.now,
		CreatedAt:     r.now,
		UpdatedAt:     r.now,
	}
	if row.Priority != "" {
		p, ok := parsePriority(row.Priority)
		if !ok {
			r.fail(num, row.Phone, "priority", "priority must be a whole number")
			return r.tick()
		}
		c.Priority = p
	}
	if err := c.Validate(); err != nil {
		r.fail(num, row.Phone, outdial.ErrorField(err), outdial.ErrorMessage(err))
		return r.tick()
	}
	r.seen[info.Number] = struct{}{}
	if r.n++; r.n == len(r.chunk) {
		return r.flush()
	}
	return r.tick()
}

// flush stores the contacts waiting in the chunk, in one AddContacts call.
func (r *run) flush() error {
	if r.n == 0 {
		return nil
	}
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("contactimport: %w", err)
	}
	added, err := r.store.AddContacts(r.ctx, r.chunk[:r.n])
	if err != nil {
		return fmt.Errorf("contactimport: add %d contacts to batch %d: %w", r.n, r.batch.ID, err)
	} else if len(added) != r.n {
		return fmt.Errorf("contactimport: store answered for %d of %d contacts", len(added), r.n)
	}
	for _, ok := range added {
		if ok {
			r.res.SuccessCount++
		} else {
			r.res.DuplicateCount++
		}
	}
	r.n, r.rows = 0, 0
	clear(r.seen)
	return nil
}

// tick counts a row and, every ctxCheckRows rows, reports the end of the context.
func (r *run) tick() error {
	if r.rows++; r.rows < ctxCheckRows {
		return nil
	}
	r.rows = 0
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("contactimport: %w", err)
	}
	return nil
}

// fail counts a refused row and lists it while the list is short.
func (r *run) fail(num int, phone, field, reason string) {
	r.res.FailCount++
	if len(r.res.Failures) < MaxFailures {
		r.res.Failures = append(r.res.Failures, Failure{
			Row: num, Phone: cut(phone, 64), Field: field, Reason: cut(reason, 300),
		})
	}
}

// parsePriority reads a whole number, also written as a float ("5.0", from spreadsheets).
func parsePriority(s string) (int, bool) {
	if p, err := strconv.Atoi(s); err == nil {
		return p, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) {
		return 0, false
	}
	return int(max(min(f, 1e9), -1e9)), true // out of range, for Validate to say so
}

// cut shortens s to at most n bytes, on a character boundary, marking the cut with "...".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
