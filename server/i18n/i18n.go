// Package i18n translates the booth's visible text: zh-CN first, English
// second. Pages find their localizer in the request context.
package i18n

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages the booth speaks, the default first.
const (
	Chinese = "zh-CN"
	English = "en"
)

// Supported lists the language codes in order of preference.
var Supported = []string{Chinese, English}

// Messages live in one folder per language, one file per area of the
// booth (messages/en/shifts.json); an id may appear in only one file.
//
//go:embed messages
var messages embed.FS

// Bundle holds every message in every supported language.
type Bundle struct {
	bundle     *goi18n.Bundle
	matcher    language.Matcher
	ids        map[string][]string   // language → message ids
	localizers map[string]*Localizer // one per supported language, made once
}

// New loads the embedded message files.
func New() (*Bundle, error) {
	b := &Bundle{
		bundle:     goi18n.NewBundle(language.MustParse(Chinese)),
		matcher:    language.NewMatcher([]language.Tag{language.MustParse(Chinese), language.English}),
		ids:        map[string][]string{},
		localizers: map[string]*Localizer{},
	}
	b.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, lang := range Supported {
		files, err := fs.Glob(messages, path.Join("messages", lang, "*.json"))
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("i18n: no message files for %s", lang)
		}
		seen := map[string]string{}
		texts := map[string]string{} // this language's messages by id
		for _, file := range files {
			raw, err := fs.ReadFile(messages, file)
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			var flat map[string]string
			if err := json.Unmarshal(raw, &flat); err != nil {
				return nil, fmt.Errorf("i18n: %s must map ids to strings: %w", file, err)
			}
			ms := make([]*goi18n.Message, 0, len(flat))
			for id, other := range flat {
				if first, dup := seen[id]; dup {
					return nil, fmt.Errorf("i18n: %s is in both %s and %s", id, first, file)
				}
				seen[id] = file
				b.ids[lang] = append(b.ids[lang], id)
				ms = append(ms, &goi18n.Message{ID: id, Other: other})
				texts[id] = other
			}
			if err := b.bundle.AddMessages(language.MustParse(lang), ms...); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", file, err)
			}
		}
		l := b.newLocalizer(lang)
		for id, text := range texts {
			if !strings.Contains(text, "{{") {
				l.plain[id] = text
				continue
			}
			tmpl, err := template.New(id).Parse(text)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s %s: %w", lang, id, err)
			}
			l.templates[id] = tmpl
		}
		b.localizers[lang] = l
	}
	return b, nil
}

// IDs returns the message ids of one language.
func (b *Bundle) IDs(lang string) []string { return b.ids[lang] }

// Match picks the language for a request: a supported saved choice wins,
// then the Accept-Language header; anything else means Chinese.
func (b *Bundle) Match(saved, acceptLanguage string) string {
	for _, l := range Supported {
		if saved == l {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Chinese
	}
	_, i, confidence := b.matcher.Match(tags...)
	if confidence == language.No {
		return Chinese
	}
	return Supported[i]
}

// Localizer translates into one language.
type Localizer struct {
	Lang      string
	l         *goi18n.Localizer
	plain     map[string]string             // the translations without placeholders
	templates map[string]*template.Template // the others, parsed once

	// filled keeps the others as filled in, by id and values, for values
	// that are all whole numbers (never a name or a password); cleared
	// when it holds maxFilled.
	filled  sync.Map
	nFilled atomic.Int64
}

// maxFilled bounds a localizer's kept filled-in translations: a page of
// twenty requests fills "waited N of M minutes" twenty times, and the
// numbers repeat from page to page.
const maxFilled = 10000

// Localizer returns the localizer of lang, shared by every request in it.
func (b *Bundle) Localizer(lang string) *Localizer {
	if l, ok := b.localizers[lang]; ok {
		return l
	}
	return b.newLocalizer(lang)
}

func (b *Bundle) newLocalizer(lang string) *Localizer {
	return &Localizer{Lang: lang, l: goi18n.NewLocalizer(b.bundle, lang), plain: map[string]string{}, templates: map[string]*template.Template{}}
}

// T translates the message id, filling {{.Name}} placeholders from data
// given as name, value pairs. A missing id shows the id itself, so a gap is
// visible instead of blank (a test keeps the files complete).
func (l *Localizer) T(id string, data ...any) string {
	if text, ok := l.plain[id]; ok {
		return text
	}
	key, keep := filledKey(id, data)
	if keep {
		if text, ok := l.filled.Load(key); ok {
			return text.(string)
		}
	}
	text := l.fill(id, data)
	if keep {
		if l.nFilled.Load() >= maxFilled {
			l.filled.Clear()
			l.nFilled.Store(0)
		}
		if _, had := l.filled.LoadOrStore(key, text); !had {
			l.nFilled.Add(1)
		}
	}
	return text
}

// filledKey is the key a filled-in translation is kept under: the id and
// its name, value pairs; false unless every value is a whole number.
func filledKey(id string, data []any) (string, bool) {
	b := []byte(id)
	for i, v := range data {
		if i%2 == 0 {
			name, ok := v.(string)
			if !ok {
				return "", false
			}
			b = append(append(b, 0), name...)
			continue
		}
		switch v := v.(type) {
		case int:
			b = strconv.AppendInt(append(b, 0), int64(v), 10)
		case int64:
			b = strconv.AppendInt(append(b, 0), v, 10)
		default:
			return "", false
		}
	}
	return string(b), true
}

// fill translates a message with placeholders.
func (l *Localizer) fill(id string, data []any) string {
	var values map[string]any
	if len(data) > 0 {
		values = map[string]any{}
		for i := 0; i+1 < len(data); i += 2 {
			values[fmt.Sprint(data[i])] = data[i+1]
		}
	}
	if tmpl, ok := l.templates[id]; ok {
		var b strings.Builder
		if err := tmpl.Execute(&b, values); err == nil {
			return b.String()
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: values})
	if err != nil {
		return id
	}
	return s
}

type ctxKey struct{}

// WithLocalizer returns ctx carrying l.
func WithLocalizer(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the localizer in ctx; nil when there is none.
func From(ctx context.Context) *Localizer {
	l, _ := ctx.Value(ctxKey{}).(*Localizer)
	return l
}

// T translates id with the localizer in ctx.
func T(ctx context.Context, id string, data ...any) string {
	if l := From(ctx); l != nil {
		return l.T(id, data...)
	}
	return id
}

// Lang returns the language of the localizer in ctx, Chinese by default.
func Lang(ctx context.Context) string {
	if l := From(ctx); l != nil {
		return l.Lang
	}
	return Chinese
}

// Other returns the supported language that is not lang, for the switch.
func Other(lang string) string {
	if strings.EqualFold(lang, English) {
		return Chinese
	}
	return English
}
