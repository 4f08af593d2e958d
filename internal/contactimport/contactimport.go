// Package contactimport adds uploaded contacts to a batch: it validates and normalises
// each row, drops duplicates and stores the rest in chunks. Every API dialect imports
// through it, from a file (contactfile.Reader) or from contacts already decoded.
package contactimport

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/contactfile"
)

// MaxFailures is how many failures a Result lists; FailCount counts them all.
const MaxFailures = 1000

// DefaultChunkSize is how many contacts go to the store in one AddContacts call when
// neither Importer.ChunkSize nor the store (ImportChunkSize) says. A transaction costs
// the store more than its rows (PostgreSQL writes every page of the batch's unique index
// that the random numbers of a chunk touched), so chunks are large; the importer holds
// up to three of them (inflightChunks), about 5 MB each at this size.
const DefaultChunkSize = 12288

// chunkSizer is a store that knows its best chunk (sqlstore: larger on SQLite).
type chunkSizer interface{ ImportChunkSize() int }

// Result counts what an import did with each row.
type Result struct {
	SuccessCount   int       // contacts added
	DuplicateCount int       // rows whose number was already in the batch or earlier in the upload
	FailCount      int       // rows refused
	Failures       []Failure // the first MaxFailures refused rows, in order
}

// Failure says why one row was refused.
type Failure struct {
	Row    int    `json:"row"`             // the row number the uploader sees (contactfile.Row.Num)
	Phone  string `json:"phone"`           // as uploaded, cut to 64 bytes
	Field  string `json:"field,omitempty"` // the field at fault, when one is
	Reason string `json:"reason"`          // in plain words
}

// Importer adds contacts to batches; it is safe for concurrent use. Store, ChunkSize and
// Clock must not change while imports run.
type Importer struct {
	Store outdial.ContactStore
	// ChunkSize is how many contacts are stored per transaction; if <= 0, the store's
	// ImportChunkSize, or DefaultChunkSize.
	ChunkSize int
	// Clock gives new contacts their NextAttemptAt; the system clock if nil.
	Clock outdial.Clock
}

// Import reads every row of r, validates and normalises it and adds it to batch b, in
// chunks of ChunkSize contacts, each chunk in one store transaction. Chunks are stored in
// order, one at a time, in another goroutine while the next is read. A bad row is counted
// and listed in the Result and the import goes on. A fatal error from r, a store error or
// the end of ctx stops the import and is returned with the counts so far: chunks already
// stored stay in the batch (and are counted); the rows read since the last chunk are not
// stored, and only their failures and in-chunk duplicates are counted. Fatal errors of r
// keep their outdial code (EINVALID for a malformed file).
func (im *Importer) Import(ctx context.Context, b *outdial.Batch, r contactfile.Reader) (Result, error) {
	run, err := im.start(ctx, b)
	if err != nil {
		return Result{}, err
	}
	defer run.end() // finish ends it; this is for a panic
	for {
		row, err := r.Next()
		if err == io.EOF {
			return run.finish(nil)
		}
		var rowErr *contactfile.RowError
		switch {
		case errors.As(err, &rowErr):
			run.fail(rowErr.Num, rowErr.Phone, rowErr.Field, rowErr.Reason)
			err = run.tick()
		case err != nil:
			err = fmt.Errorf("contactimport: %w", err)
		default:
			err = run.add(row, row.Num)
		}
		if err != nil {
			return run.finish(err)
		}
	}
}

// ImportRows does what Import does for rows already decoded (the dialects' JSON bodies).
// A row whose Num is 0 is numbered by its 1-based index in rows; nil rows are skipped.
func (im *Importer) ImportRows(ctx context.Context, b *outdial.Batch, rows []*contactfile.Row) (Result, error) {
	run, err := im.start(ctx, b)
	if err != nil {
		return Result{}, err
	}
	defer run.end() // finish ends it; this is for a panic
	for i, row := range rows {
		if row == nil {
			continue
		}
		num := row.Num
		if num == 0 {
			num = i + 1
		}
		if err := run.add(row, num); err != nil {
			return run.finish(err)
		}
	}
	return run.finish(nil)
}

// start prepares one import into b.
func (im *Importer) start(ctx context.Context, b *outdial.Batch) (*run, error) {
	if b == nil || b.ID == 0 || b.TenantID == 0 {
		return nil, errors.New("contactimport: import into a batch that is not stored")
	}
	size := im.ChunkSize
	if cs, ok := im.Store.(chunkSizer); ok && size <= 0 {
		size = cs.ImportChunkSize()
	}
	if size <= 0 {
		size = DefaultChunkSize
	}
	var clock outdial.Clock = outdial.SystemClock{}
	if im.Clock != nil {
		clock = im.Clock
	}
	end, err := im.Store.BeginContactImport(ctx, b.TenantID, b.ID)
	if err != nil {
		return nil, fmt.Errorf("contactimport: %w", err)
	}
	return &run{
		end:   end,
		store: im.Store,
		ctx:   ctx,
		batch: b,
		now:   clock.Now(),
		size:  size,
		chunk: make([]*outdial.Contact, 0, size),
		seen:  make(map[string]struct{}, min(size, chunkBlock)),
	}, nil
}
