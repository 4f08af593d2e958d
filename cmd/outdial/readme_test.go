package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/outdial/outdial/internal/config"
)

// TestREADMEConfiguration keeps README.md's configuration table true: every setting has
// its row, with its flag, variable, file key and default.
func TestREADMEConfiguration(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, s := range config.Settings() {
		def := "`" + s.Default + "`"
		if s.Default == "" {
			def = "(none)"
		}
		row := fmt.Sprintf("| `--%s` | `%s` | `%s` | %s |", s.Flag, s.Env, s.Key, def)
		if !strings.Contains(readme, row) {
			t.Errorf("README.md lacks the row %s", row)
		}
	}
	if !strings.Contains(readme, "| `--config` | `"+config.ConfigEnv+"` |") {
		t.Error("README.md lacks --config")
	}
}
