// Package pwa holds the progressive web app's static files, served at
// content-hashed URLs, and builds its manifest and service worker.
package pwa

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"slices"
	"strings"
	"text/template"
)

//go:embed static
var static embed.FS

//go:embed sw.js
var serviceWorkerSource string

// Prefix is where hashed assets are served.
const Prefix = "/assets/"

// Asset is one static file.
type Asset struct {
	Name        string // e.g. css/app.css
	URL         string // e.g. /assets/css/app.1a2b3c4d5e.css
	ContentType string
	Body        []byte
}

// Assets are every static file, addressable by name and by hashed URL.
type Assets struct {
	byName map[string]*Asset
	byURL  map[string]*Asset
}

// Load reads the embedded files and hashes them.
func Load() (*Assets, error) {
	a := &Assets{byName: map[string]*Asset{}, byURL: map[string]*Asset{}}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		ctype := mime.TypeByExtension(ext)
		if ctype == "" || strings.HasSuffix(name, "LICENSE") {
			ctype = "text/plain; charset=utf-8"
		}
		asset := &Asset{
			Name:        name,
			URL:         Prefix + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext,
			ContentType: ctype,
			Body:        body,
		}
		a.byName[name] = asset
		a.byURL[asset.URL] = asset
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pwa: load assets: %w", err)
	}
	return a, nil
}

// URL returns the hashed URL of the named asset. An unknown name is a
// programming error and panics at the first render in tests.
func (a *Assets) URL(name string) string {
	asset, ok := a.byName[name]
	if !ok {
		panic("pwa: no asset " + name)
	}
	return asset.URL
}

// ByURL finds an asset by its hashed URL.
func (a *Assets) ByURL(url string) (*Asset, bool) {
	asset, ok := a.byURL[url]
	return asset, ok
}

// ManifestText is the localisable text of the web app manifest.
type ManifestText struct {
	Name, ShortName, Description, Lang string
}

// Manifest returns the web app manifest.
func (a *Assets) Manifest(t ManifestText) ([]byte, error) {
	type icon struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose"`
	}
	return json.MarshalIndent(map[string]any{
		"name":             t.Name,
		"short_name":       t.ShortName,
		"description":      t.Description,
		"lang":             t.Lang,
		"id":               "/",
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"orientation":      "any",
		"theme_color":      "#0b3d91",
		"background_color": "#f3f5f9",
		"icons": []icon{
			{Src: a.URL("icons/icon-192.png"), Sizes: "192x192", Type: "image/png", Purpose: "any"},
			{Src: a.URL("icons/icon-512.png"), Sizes: "512x512", Type: "image/png", Purpose: "any"},
			{Src: a.URL("icons/icon-maskable-512.png"), Sizes: "512x512", Type: "image/png", Purpose: "maskable"},
		},
	}, "", "  ")
}

// ServiceWorker returns the service worker script. Its version is a hash of
// everything it precaches, so a new release replaces the old cache.
func (a *Assets) ServiceWorker(offlinePage []byte) ([]byte, error) {
	urls := []string{"/offline"}
	h := sha256.New()
	h.Write(offlinePage)
	names := make([]string, 0, len(a.byName))
	for name := range a.byName {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		asset := a.byName[name]
		if strings.HasSuffix(name, "LICENSE") || strings.HasPrefix(name, "icons/icon-512") || strings.HasPrefix(name, "icons/icon-maskable") {
			continue // not needed to draw the shell offline
		}
		urls = append(urls, asset.URL)
		h.Write([]byte(asset.URL))
	}
	precache, err := json.Marshal(urls)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tmpl := template.Must(template.New("sw").Parse(serviceWorkerSource))
	err = tmpl.Execute(&buf, map[string]string{"Version": hex.EncodeToString(h.Sum(nil)[:6]), "Precache": string(precache)})
	return buf.Bytes(), err
}
