package autocall

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/outdial/outdial"
)

// The worked example of README.md.
const (
	exSecret    = "my-push-secret"
	exTimestamp = "2021-01-01 00:00:00"
	exData      = `{"call_id":"6811535818021285888","callresult":"0"}`
	exPlainSign = "c4ca1eee4801deaa8b5d0a9836d2d2ee"
	exKey       = "1b45d541aabd83029c4492c308e089e9a90c842a6fc517468215f8439274463a"
	exIV        = "000102030405060708090a0b0c0d0e0f"
	exEncrypted = "AAECAwQFBgcICQoLDA0OD67MVIA+dNsgMVwZEWcNVL27UoVwKlr7lW0disxIw11/6IeyGGFHk1mFgSgSd6md5VjCloIWqhBzg+qSJNaFruA="
	exEncSign   = "babacc2137cb1a0923e83e3e65b3a06a"
	exPlainBody = `{"type":1,"sign":"c4ca1eee4801deaa8b5d0a9836d2d2ee","timestamp":"2021-01-01 00:00:00","data":{"call_id":"6811535818021285888","callresult":"0"}}`
	exEncBody   = `{"type":1,"sign":"babacc2137cb1a0923e83e3e65b3a06a","timestamp":"2021-01-01 00:00:00","data":"AAECAwQFBgcICQoLDA0OD67MVIA+dNsgMVwZEWcNVL27UoVwKlr7lW0disxIw11/6IeyGGFHk1mFgSgSd6md5VjCloIWqhBzg+qSJNaFruA="}`
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	must(t, err)
	return string(b)
}

// TestWorkedExample checks the README's worked example against the code: the key, the
// encryption with the example's IV, both signs, and the exact bodies Format builds.
func TestWorkedExample(t *testing.T) {
	doc := readme(t)
	for _, v := range []string{exSecret, exTimestamp, exData, exPlainSign, exKey, exIV, exEncrypted, exEncSign, exPlainBody, exEncBody} {
		if !strings.Contains(doc, v) {
			t.Errorf("README.md does not show %s", v)
		}
	}
	if got := hex.EncodeToString(EncryptionKey(exSecret)); got != exKey {
		t.Errorf("key = %s, want %s", got, exKey)
	}
	iv := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	if enc, err := Encrypt(exSecret, iv, []byte(exData)); err != nil || enc != exEncrypted {
		t.Errorf("Encrypt = %s, %v; want %s", enc, err, exEncrypted)
	}
	if plain, err := Decrypt(exSecret, exEncrypted); err != nil || string(plain) != exData {
		t.Errorf("Decrypt = %s, %v", plain, err)
	}
	if _, err := Decrypt("another-secret", exEncrypted); err == nil {
		t.Error("Decrypt with the wrong secret succeeded")
	}
	now := time.Date(2021, 1, 1, 0, 0, 0, 0, shanghai)
	m := &outdial.OutboxMessage{ID: 1, Payload: []byte(exData)}
	for _, c := range []struct {
		encrypt bool
		want    string
	}{{false, exPlainBody}, {true, exEncBody}} {
		sub := &outdial.Subscription{Secret: exSecret, Encrypt: c.encrypt}
		body, h, err := Format{Rand: bytes.NewReader(iv)}.Build(m, sub, now)
		if err != nil || string(body) != c.want || h.Get("Content-Type") != "application/json" {
			t.Errorf("Build(encrypt=%v) = %s, %v\nwant %s", c.encrypt, body, err, c.want)
		}
	}
}

// TestWorkedExampleShell runs the README's shell lines (when openssl is installed) and
// checks they print the sign and the data.
func TestWorkedExampleShell(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	script := codeBlock(t, readme(t), "With a shell", "```sh")
	out, err := exec.Command("bash", "-c", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), exEncSign) || !strings.Contains(string(out), exData) {
		t.Fatalf("the README's shell lines print:\n%s(%v)", out, err)
	}
}

// TestWorkedExamplePython runs the README's Python receiver (when python3 has the
// cryptography package) on both example bodies.
func TestWorkedExamplePython(t *testing.T) {
	if exec.Command("python3", "-c", "import cryptography").Run() != nil {
		t.Skip("python3 with the cryptography package is not installed")
	}
	code := codeBlock(t, readme(t), "In Python", "```python") + `
for raw in (` + pyBytes(exPlainBody) + `, ` + pyBytes(exEncBody) + `):
    print(read_push(raw, "` + exSecret + `")["call_id"])
try:
    read_push(` + pyBytes(strings.Replace(exEncBody, exEncSign, exPlainSign, 1)) + `, "` + exSecret + `")
except ValueError as e:
    print(e)
`
	out, err := exec.Command("python3", "-c", code).CombinedOutput()
	if want := "6811535818021285888\n6811535818021285888\nbad sign\n"; err != nil || string(out) != want {
		t.Fatalf("the README's Python prints:\n%s(%v), want\n%s", out, err, want)
	}
}

// TestREADMEListsRoutes checks that README.md lists every route of the table.
func TestREADMEListsRoutes(t *testing.T) {
	doc := readme(t)
	for _, rt := range (&Handler{}).routeTable() {
		if row := "| `" + rt.method + "` | `" + rt.pattern + "` | " + rt.summary + " |"; !strings.Contains(doc, row) {
			t.Errorf("README.md lacks the row %s", row)
		}
	}
}

// codeBlock returns the first code block opening with fence after the heading text.
func codeBlock(t *testing.T, doc, after, fence string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, after)
	if ok {
		_, rest, ok = strings.Cut(rest, fence+"\n")
	}
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatalf("README.md has no %s block after %q", fence, after)
	}
	return block
}

func pyBytes(s string) string { return "b'" + strings.ReplaceAll(s, `'`, `\'`) + "'" }
