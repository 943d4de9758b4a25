package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

// The console's static files (CSS, icon, the esbuild bundle in dist/) are
// embedded in the binary. Pages link them as /static/NAME?v=HASH, HASH being
// a digest of the file's content: a link with the current hash may be
// cached for a year, since a new build changes the link; anything else
// (an old link, a hand-typed URL) is cached for five minutes only.

const (
	CacheImmutable = "public, max-age=31536000, immutable"
	CacheShort     = "public, max-age=300"
)

var (
	assetOnce   sync.Once
	assetHashes map[string]string // path under static/ → content digest
)

func staticHashes() map[string]string {
	assetOnce.Do(func() {
		assetHashes = map[string]string{}
		_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(staticFS, p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			assetHashes[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
			return nil
		})
	})
	return assetHashes
}

// AssetURL is the versioned link of a static file, for templates.
func AssetURL(name string) string {
	if h, ok := staticHashes()[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}

func init() { Funcs["asset"] = AssetURL }

// JSBuilt reports whether the binary embeds the console's script, that is
// whether `make web` ran before `go build`.
func JSBuilt() bool {
	_, ok := staticHashes()["dist/app.js"]
	return ok
}

// StaticHandler serves the embedded files with an ETag and the cache
// lifetime their link allows; folders are not listed.
func StaticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServer(http.FS(sub))
	hashes := staticHashes()
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Clean("/" + r.URL.Path)[1:]
		h, ok := hashes[name]
		if !ok || strings.HasPrefix(path.Base(name), ".") {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == h {
			w.Header().Set("Cache-Control", CacheImmutable)
		} else {
			w.Header().Set("Cache-Control", CacheShort)
		}
		w.Header().Set("ETag", `"`+h+`"`)
		files.ServeHTTP(w, r)
	}))
}
