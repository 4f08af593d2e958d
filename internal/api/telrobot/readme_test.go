package telrobot

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestREADME keeps README.md true: its route table lists every route of the table and no
// other, and its error table every status the dialect answers.
func TestREADME(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	section := func(title string) string {
		_, after, ok := strings.Cut(doc, "\n## "+title+"\n")
		if !ok {
			t.Fatalf("README.md has no section %q", title)
		}
		before, _, _ := strings.Cut(after, "\n## ")
		return before
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z]+ /v1/[^`]*)` \\|").FindAllStringSubmatch(section("Routes"), -1) {
		listed[m[1]] = true
	}
	h := &Handler{}
	for _, rt := range h.routeTable() {
		key := rt.method + " " + rt.pattern
		if !listed[key] {
			t.Errorf("README.md's route table does not list %s", key)
		}
		delete(listed, key)
	}
	for key := range listed {
		t.Errorf("README.md lists %s, which is not a route", key)
	}
	errs := section("Errors")
	for code, status := range statusOf {
		if !strings.Contains(errs, "\n| "+strconv.Itoa(status)+" |") {
			t.Errorf("README.md's error table lacks %d (%s)", status, code)
		}
	}
	if !strings.Contains(section("Authentication"), "Authorization: Bearer <token>") {
		t.Error("README.md does not say how to authenticate")
	}
}
