package groupcall

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestREADMEListsEveryRoute keeps README.md's route table true to the route table, in
// the same order.
func TestREADMEListsEveryRoute(t *testing.T) {
	readme := readREADME(t)
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^\\| `groupcall/([a-z-]+)` \\|").FindAllStringSubmatch(readme, -1) {
		listed = append(listed, m[1])
	}
	var routes []string
	for _, rt := range (&Handler{}).routeTable() {
		routes = append(routes, rt.name)
		if !strings.Contains(readme, "**"+rt.name+"**") && !strings.Contains(readme, "`"+rt.name+"`") {
			t.Errorf("README.md does not describe %s", rt.name)
		}
	}
	if strings.Join(listed, " ") != strings.Join(routes, " ") {
		t.Errorf("README.md lists the routes\n%v\nthe route table has\n%v", listed, routes)
	}
}

// TestREADMEErrorTable keeps README.md's error table true to the one in errors.go: every
// statusCode with its title and record-download HTTP status, in order.
func TestREADMEErrorTable(t *testing.T) {
	var rows []string
	for _, m := range regexp.MustCompile(`(?m)^\| (\d{4}) \| (\S+) \| .* \| (\d{3}) \|$`).FindAllStringSubmatch(readREADME(t), -1) {
		rows = append(rows, m[1]+" "+m[2]+" "+m[3])
	}
	var want []string
	for _, row := range statusTable {
		want = append(want, strconv.Itoa(row.status)+" "+row.title+" "+strconv.Itoa(row.download))
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("README.md's error table:\n%s\nerrors.go's:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
}

func readREADME(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
