package contactimport

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/clock"
	"github.com/outdial/outdial/internal/contactfile"
)

// memStore is a ContactStore that keeps contacts in memory, unique by (batch, phone) as
// the real stores are. Only AddContacts is implemented.
type memStore struct {
	outdial.ContactStore
	phones   map[int64]map[string]bool
	contacts []outdial.Contact // copies of the added contacts
	chunks   []int             // the size of each AddContacts call
	failCall int               // 1-based call that fails; 0: none
}

func (s *memStore) AddContacts(_ context.Context, cs []*outdial.Contact) ([]bool, error) {
	s.chunks = append(s.chunks, len(cs))
	if len(s.chunks) == s.failCall {
		return nil, errors.New("disk full")
	}
	if s.phones == nil {
		s.phones = make(map[int64]map[string]bool)
	}
	added := make([]bool, len(cs))
	for i, c := range cs {
		batch := s.phones[c.BatchID]
		if batch == nil {
			batch = make(map[string]bool)
			s.phones[c.BatchID] = batch
		}
		if !batch[c.Phone] {
			batch[c.Phone], added[i] = true, true
			s.contacts = append(s.contacts, *c)
		}
	}
	return added, nil
}

var (
	start  = time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)
	batch1 = &outdial.Batch{ID: 7, TenantID: 3, TaskID: 5, Name: "May"}
)

func importCSV(t *testing.T, im *Importer, b *outdial.Batch, csv string) (Result, error) {
	t.Helper()
	r, err := contactfile.NewCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	return im.Import(context.Background(), b, r)
}

func TestImport(t *testing.T) {
	store := &memStore{}
	im := &Importer{Store: store, Clock: clock.NewVirtual(start)}
	csv := "手机号码,姓名,邮箱,自定义参数,回调地址,优先级,金额\n" +
		"188 5149 8762,李雷,li@example.com,s1,https://example.com/cb,5,100\n" + // 2
		"+86 188-5149-8762,李雷2\n" + // 3: duplicate of row 2
		"1234,bad\n" + // 4
		",no phone\n" + // 5
		"13912345678,,not-an-email\n" + // 6
		"13912345678,,," + strings.Repeat("x", 61) + "\n" + // 7
		"13912345678,,,,ftp://example.com\n" + // 8
		"13912345678,,,,,high\n" + // 9
		"13912345678,,,,,2000\n" + // 10
		"13912345678,,,,,,,,extra\n" + // 11: more fields than the header
		"075512345678,王五,,,,-3\n" // 12
	res, err := importCSV(t, im, batch1, csv)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{SuccessCount: 2, DuplicateCount: 1, FailCount: 8, Failures: []Failure{
		{Row: 4, Phone: "1234", Field: "phone", Reason: "invalid phone number"},
		{Row: 5, Field: "phone", Reason: "missing phone"},
		{Row: 6, Phone: "13912345678", Field: "email", Reason: `"not-an-email" is not an email address`},
		{Row: 7, Phone: "13912345678", Field: "state", Reason: "state is 61 bytes, at most 60 allowed"},
		{Row: 8, Phone: "13912345678", Field: "callback_url", Reason: "callback_url must be an http or https URL"},
		{Row: 9, Phone: "13912345678", Field: "priority", Reason: "priority must be a whole number"},
		{Row: 10, Phone: "13912345678", Field: "priority", Reason: "priority must be -1000 to 1000"},
		{Row: 11, Phone: "13912345678", Reason: "the row has 9 fields but the header only 7 (is there a comma in an unquoted field?)"},
	}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("result\n%+v,\nwant\n%+v", res, want)
	}

	if len(store.contacts) != 2 {
		t.Fatalf("%d contacts stored", len(store.contacts))
	}
	got := store.contacts[0]
	wantContact := outdial.Contact{
		TenantID: 3, TaskID: 5, BatchID: 7, Phone: "18851498762", Name: "李雷", Email: "li@example.com",
		State: "s1", CallbackURL: "https://example.com/cb", Priority: 5, Variables: map[string]string{"金额": "100"},
		AreaCode: "0518", AreaName: "江苏 连云港", Type: "MOBILE", Carrier: "MOBILE",
		Status: outdial.ContactPending, NextAttemptAt: start, CreatedAt: start, UpdatedAt: start,
	}
	if !reflect.DeepEqual(got, wantContact) {
		t.Errorf("contact\n%+v,\nwant\n%+v", got, wantContact)
	}
	if landline := store.contacts[1]; landline.Phone != "075512345678" || landline.Type != "FIXED" || landline.Priority != -3 {
		t.Errorf("landline %+v", landline)
	}
}

func TestImportDuplicatesAcrossUploads(t *testing.T) {
	store := &memStore{}
	im := &Importer{Store: store}
	if res, err := importCSV(t, im, batch1, "phone\n18851498762\n13912345678\n"); err != nil || res.SuccessCount != 2 {
		t.Fatalf("first upload: %+v, %v", res, err)
	}
	res, err := importCSV(t, im, batch1, "phone\n13912345678\n8613800138000\n18851498762\n")
	if err != nil || res.SuccessCount != 1 || res.DuplicateCount != 2 {
		t.Errorf("second upload into the same batch: %+v, %v; want 1 added, 2 duplicates", res, err)
	}
	other := &outdial.Batch{ID: 8, TenantID: 3, TaskID: 5}
	res, err = importCSV(t, im, other, "phone\n13912345678\n")
	if err != nil || res.SuccessCount != 1 || res.DuplicateCount != 0 {
		t.Errorf("another batch: %+v, %v; want the number added", res, err)
	}
}

// Duplicates are caught within a chunk before the store sees them and across chunks by
// the store; every chunk but the last is full.
func TestImportChunks(t *testing.T) {
	store := &memStore{}
	im := &Importer{Store: store, ChunkSize: 3}
	var csv strings.Builder
	csv.WriteString("phone\n")
	for _, n := range []int{0, 1, 1, 2, 3, 0, 4, 5, 5, 6, 2} {
		csv.WriteString(strconv.Itoa(13900000000+n) + "\n")
	}
	res, err := importCSV(t, im, batch1, csv.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.SuccessCount != 7 || res.DuplicateCount != 4 || res.FailCount != 0 {
		t.Errorf("result %+v, want 7 added and 4 duplicates", res)
	}
	if want := []int{3, 3, 3}; !reflect.DeepEqual(store.chunks, want) {
		t.Errorf("chunks %v, want %v", store.chunks, want)
	}
}

func TestImportMaxFailures(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("phone\n")
	for range MaxFailures + 5 {
		csv.WriteString("1234\n")
	}
	csv.WriteString("18851498762\n")
	res, err := importCSV(t, &Importer{Store: &memStore{}}, batch1, csv.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.FailCount != MaxFailures+5 || len(res.Failures) != MaxFailures || res.SuccessCount != 1 {
		t.Errorf("%d failures, %d listed, %d added", res.FailCount, len(res.Failures), res.SuccessCount)
	}
	if last := res.Failures[MaxFailures-1]; last.Row != MaxFailures+1 {
		t.Errorf("last listed failure is row %d, want %d", last.Row, MaxFailures+1)
	}
}

func TestImportAborts(t *testing.T) {
	rows := "phone\n13900000001\n13900000002\n13900000003\n13900000004\n13900000005\n"

	store := &memStore{failCall: 2}
	res, err := importCSV(t, &Importer{Store: store, ChunkSize: 2}, batch1, rows)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("error %v, want the store's", err)
	}
	if res.SuccessCount != 2 || len(store.contacts) != 2 {
		t.Errorf("result %+v with %d stored, want the first chunk", res, len(store.contacts))
	}

	// A malformed file: the rows before the error that filled a chunk stay.
	store = &memStore{}
	r, err := contactfile.NewJSON(strings.NewReader(`[{"phone":"13900000001"},{"phone":"13900000002"},{"phone":"13900000003"},{`))
	if err != nil {
		t.Fatal(err)
	}
	res, err = (&Importer{Store: store, ChunkSize: 2}).Import(context.Background(), batch1, r)
	if outdial.ErrorCode(err) != outdial.EINVALID || res.SuccessCount != 2 || len(store.contacts) != 2 {
		t.Errorf("result %+v, %v with %d stored; want EINVALID after the first chunk", res, err, len(store.contacts))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, _ = contactfile.NewCSV(strings.NewReader(rows))
	if _, err := (&Importer{Store: &memStore{}}).Import(ctx, batch1, r); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestImportRows(t *testing.T) {
	store := &memStore{}
	rows := []*contactfile.Row{
		{Phone: "18851498762", Variables: map[string]string{"k": "v"}},
		nil,
		{Phone: "bad"},
		{Num: 40, Phone: "18851498762"},
	}
	res, err := (&Importer{Store: store}).ImportRows(context.Background(), batch1, rows)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{SuccessCount: 1, DuplicateCount: 1, FailCount: 1, Failures: []Failure{
		{Row: 3, Phone: "bad", Field: "phone", Reason: "invalid phone number"},
	}}
	if !reflect.DeepEqual(res, want) || store.contacts[0].Variables["k"] != "v" {
		t.Errorf("result %+v, want %+v", res, want)
	}
	if _, err := (&Importer{Store: store}).ImportRows(context.Background(), &outdial.Batch{}, rows); err == nil {
		t.Error("no error for a batch that is not stored")
	}
}

func (s *memStore) BeginContactImport(context.Context, int64, int64) (func(), error) {
	return func() {}, nil
}
