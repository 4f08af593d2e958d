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

// run is the state of one import. It fills one chunk of contacts while the store adds
// earlier ones, one at a time and in order, in other goroutines: up to inflightChunks
// wait or are being stored, so that reading never waits on a slow commit nor writing on
// a slow stretch of the upload. Chunks are reused once stored, so the memory of an
// import is bounded by the chunk size, not the upload's.
type run struct {
	store    outdial.ContactStore
	ctx      context.Context
	batch    *outdial.Batch
	now      time.Time
	res      Result
	size     int                  // contacts per chunk
	chunk    []*outdial.Contact   // being filled: the contacts allocated for it so far
	free     [][]*outdial.Contact // chunks stored, to fill again
	n        int                  // contacts waiting in chunk
	seen     map[string]struct{}  // normalised phones waiting in chunk
	rows     int                  // rows since the last context check
	inflight []*storeJob          // chunks handed to the store, oldest first
	end      func()               // ends the store's import (BeginContactImport)
}

// inflightChunks is how many chunks an import hands to the store before it waits for the
// oldest.
const inflightChunks = 2

// storeJob is one chunk handed to the store: done is closed when its AddContacts call
// has ended (or was skipped because an earlier one failed), with res set.
type storeJob struct {
	cs   []*outdial.Contact // the whole chunk, to reuse
	done chan struct{}
	res  stored
}

// stored is what one AddContacts call did.
type stored struct {
	added, duplicates int
	err               error
}

// chunkBlock is how many contacts a chunk allocates at a time as it first grows, so a
// small upload does not pay for a whole chunk.
const chunkBlock = 1024

// next returns the chunk's next contact to fill, allocating contacts as the chunk grows.
func (r *run) next() *outdial.Contact {
	if r.n == len(r.chunk) {
		contacts := make([]outdial.Contact, min(chunkBlock, r.size-r.n))
		for i := range contacts {
			r.chunk = append(r.chunk, &contacts[i])
		}
	}
	return r.chunk[r.n]
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
	c := r.next()
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
	if r.n++; r.n == r.size {
		return r.flush()
	}
	return r.tick()
}

// flush hands the contacts waiting in the chunk to the store, after the chunks handed
// before it, and goes on with a free chunk.
func (r *run) flush() error {
	if r.n == 0 {
		return nil
	}
	if len(r.inflight) == inflightChunks {
		if err := r.waitOldest(); err != nil {
			return err
		}
	}
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("contactimport: %w", err)
	}
	var prev *storeJob
	if len(r.inflight) > 0 {
		prev = r.inflight[len(r.inflight)-1]
	}
	job := &storeJob{cs: r.chunk, done: make(chan struct{})}
	cs, store, ctx, batchID := r.chunk[:r.n], r.store, r.ctx, r.batch.ID
	go func() {
		defer close(job.done)
		if prev != nil {
			if <-prev.done; prev.res.err != nil {
				job.res.err = prev.res.err // not stored: the import stops at the first error
				return
			}
		}
		added, err := store.AddContacts(ctx, cs)
		if err != nil {
			job.res.err = fmt.Errorf("contactimport: add %d contacts to batch %d: %w", len(cs), batchID, err)
			return
		} else if len(added) != len(cs) {
			job.res.err = fmt.Errorf("contactimport: store answered for %d of %d contacts", len(added), len(cs))
			return
		}
		for _, ok := range added {
			if ok {
				job.res.added++
			}
		}
		job.res.duplicates = len(cs) - job.res.added
	}()
	r.inflight = append(r.inflight, job)
	r.chunk = nil
	if k := len(r.free); k > 0 {
		r.chunk, r.free = r.free[k-1], r.free[:k-1]
	} else {
		r.chunk = make([]*outdial.Contact, 0, r.size)
	}
	r.n, r.rows = 0, 0
	clear(r.seen)
	return nil
}

// waitOldest waits for the oldest chunk handed to the store and counts what it did.
func (r *run) waitOldest() error {
	job := r.inflight[0]
	<-job.done
	r.inflight = r.inflight[1:]
	r.free = append(r.free, job.cs)
	r.res.SuccessCount += job.res.added
	r.res.DuplicateCount += job.res.duplicates
	return job.res.err
}

// wait waits for every chunk handed to the store; the first error wins.
func (r *run) wait() error {
	var first error
	for len(r.inflight) > 0 {
		if err := r.waitOldest(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// finish ends the import that stopped with err (nil at the end of the rows): it stores
// what is waiting unless err is set, and waits for the store. A store error wins over err.
func (r *run) finish(err error) (Result, error) {
	if err == nil {
		err = r.flush()
	}
	if werr := r.wait(); werr != nil {
		err = werr
	}
	r.end()
	return r.res, err
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
