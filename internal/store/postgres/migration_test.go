package postgres_test

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/outdial/outdial"
	"github.com/outdial/outdial/internal/store/postgres"
	"github.com/outdial/outdial/internal/store/sqlstore"
	"github.com/outdial/outdial/internal/store/storetest"
)

// Migration 0008 on PostgreSQL keeps every descriptive field of existing contacts,
// whatever characters they hold (json_build_array's escapes, spaces after commas).
func TestPostgresMigrationKeepsContactFields(t *testing.T) {
	dsn := storetest.NewPostgresDatabase(t)
	ctx := context.Background()
	old := fstest.MapFS{}
	names, err := fs.Glob(os.DirFS("migrations"), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n < "0008" {
			body, _ := os.ReadFile("migrations/" + n)
			old[n] = &fstest.MapFile{Data: body}
		}
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlstore.Migrate(ctx, db, old, ""); err != nil {
		t.Fatal(err)
	}
	type row struct {
		c    outdial.Contact
		vars string
	}
	rows := []row{
		{c: outdial.Contact{Name: "张三 \"q\" \\ /", Address: "a\tb\nc\r\x01\x1f\x7f", Email: "e\u2028\u2029", State: "😀",
			CallbackURL: "https://x/cb?a=<1>&b=2", ExternalID: "ext", AreaCode: "0518", AreaName: "江苏 连云港", Type: "MOBILE",
			Carrier: "UNICOM", Variables: map[string]string{"k": "v", "<&>": "\u003c\n", "名": "值"}},
			vars: `{"\u003c\u0026\u003e":"\u003c\n","k":"v","名":"值"}`},
		{c: outdial.Contact{Name: "only name"}},
		{c: outdial.Contact{Carrier: "last only", Variables: map[string]string{"a": ""}}, vars: `{"a":""}`},
		{c: outdial.Contact{}, vars: `{}`},
	}
	for i, r := range rows {
		c := r.c
		if _, err := db.Exec(`INSERT INTO contacts (id, tenant_id, task_id, batch_id, phone, name, address, email, state, callback_url,
			external_id, variables, priority, area_code, area_name, number_type, carrier, status, attempts, next_attempt_at,
			last_result, last_call_id, created_at, updated_at) VALUES ($1, 1, 1, 1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $12, $13,
			'pending', 0, 0, '', 0, 0, 0)`, i+1, "1380000000"+string(rune('0'+i)), c.Name, c.Address, c.Email, c.State, c.CallbackURL,
			c.ExternalID, r.vars, c.AreaCode, c.AreaName, c.Type, c.Carrier); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := postgres.Open(ctx, dsn, outdial.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, r := range rows {
		got, err := s.Contact(ctx, 1, int64(i+1))
		if err != nil {
			t.Fatalf("contact %d: %v", i+1, err)
		}
		want := r.c
		if len(want.Variables) == 0 {
			want.Variables = nil
		}
		g := outdial.Contact{Name: got.Name, Address: got.Address, Email: got.Email, State: got.State, CallbackURL: got.CallbackURL,
			ExternalID: got.ExternalID, AreaCode: got.AreaCode, AreaName: got.AreaName, Type: got.Type, Carrier: got.Carrier,
			Variables: got.Variables}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("contact %d after the migration:\n got %+v\nwant %+v", i+1, g, want)
		}
	}
}
