package db_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestTableOwners checks docs/ARCHITECTURE.md's "Tables and their owners"
// against the code: every table the migrations create has a row, and the
// Go code that writes a table (INSERT, UPDATE, DELETE) lives in its owner
// or in a package the row names as an exception. sim (the demo county) and
// backup (restore) write every table and are not checked; neither are the
// test-only packages dbtest and testworld.
func TestTableOwners(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## Tables and their owners")
	if !ok {
		t.Fatal(`docs/ARCHITECTURE.md has no "Tables and their owners" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	ticked := regexp.MustCompile("`([a-z_.]+)`")
	word := regexp.MustCompile(`[a-z]+`)
	owner := map[string]string{}     // table → owning package
	allowed := map[string][]string{} // table → packages the row names
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		own := word.FindString(cells[2])
		for _, m := range ticked.FindAllStringSubmatch(cells[1], -1) {
			owner[m[1]] = own
			allowed[m[1]] = word.FindAllString(cells[2], -1)
		}
	}

	migrations, err := filepath.Glob(filepath.Join(root, "internal", "db", "migrations", "*.sql"))
	if err != nil || len(migrations) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	create := regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)`)
	var tables []string
	for _, m := range migrations {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range create.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(tables, c[1]) {
				tables = append(tables, c[1])
			}
		}
	}
	if len(tables) < 40 {
		t.Fatalf("found %d tables in the migrations", len(tables))
	}
	for _, tb := range tables {
		if owner[tb] == "" {
			t.Errorf("table %s has no owner in docs/ARCHITECTURE.md", tb)
		}
	}

	write := regexp.MustCompile(`(?:INSERT INTO|UPDATE|DELETE FROM)\s+([a-z_]+)\b`)
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			parts := strings.Split(filepath.ToSlash(rel), "/")
			if d.IsDir() {
				if len(parts) == 2 && parts[0] == "internal" && (parts[1] == "sim" || parts[1] == "backup") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || len(parts) < 3 {
				return nil
			}
			pkg := parts[1] // internal/<pkg>/… or cmd/fanzha/…
			// Test-only packages write fixture rows, as the _test.go files
			// do: dbtest, and testworld (the shared test county, kept out
			// of the product by TestOnlyTestsImportTestworld).
			if (parts[1] == "db" && parts[2] == "dbtest") || parts[1] == "testworld" {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range write.FindAllStringSubmatch(string(b), -1) {
				tb := m[1]
				if !slices.Contains(tables, tb) {
					continue
				}
				if pkg != owner[tb] && !slices.Contains(allowed[tb], pkg) {
					t.Errorf("%s writes %s, owned by %s: write through the owner's function or document the exception", rel, tb, owner[tb])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
