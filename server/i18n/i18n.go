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
	"regexp"
	"strconv"
	"strings"

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
			m, err := parseMessage(text)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s %s: %w", lang, id, err)
			}
			l.templates[id] = m
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
	plain     map[string]string  // the translations without placeholders
	templates map[string]message // the others, split once
}

// Localizer returns the localizer of lang, shared by every request in it.
func (b *Bundle) Localizer(lang string) *Localizer {
	if l, ok := b.localizers[lang]; ok {
		return l
	}
	return b.newLocalizer(lang)
}

func (b *Bundle) newLocalizer(lang string) *Localizer {
	return &Localizer{Lang: lang, l: goi18n.NewLocalizer(b.bundle, lang), plain: map[string]string{}, templates: map[string]message{}}
}

// T translates the message id, filling {{.Name}} placeholders from data
// given as name, value pairs. A missing id shows the id itself, so a gap is
// visible instead of blank (a test keeps the files complete).
func (l *Localizer) T(id string, data ...any) string {
	if text, ok := l.plain[id]; ok {
		return text
	}
	if m, ok := l.templates[id]; ok {
		return m.fill(data)
	}
	var values map[string]any
	if len(data) > 0 {
		values = map[string]any{}
		for i := 0; i+1 < len(data); i += 2 {
			values[fmt.Sprint(data[i])] = data[i+1]
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: values})
	if err != nil {
		return id
	}
	return s
}

// message is a translation with {{.Name}} placeholders, split once when
// the files load: text[0], the value of names[0], text[1] … and
// text[len(names)]. Filling it is a concatenation; text/template took a
// reflective walk per call, which a month's shift CSV made 30,000 times.
type message struct {
	text  []string
	names []string
}

var placeholder = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// parseMessage splits a translation at its placeholders; anything else
// between braces is an error.
func parseMessage(s string) (message, error) {
	var m message
	last := 0
	for _, at := range placeholder.FindAllStringSubmatchIndex(s, -1) {
		m.text = append(m.text, s[last:at[0]])
		m.names = append(m.names, s[at[2]:at[3]])
		last = at[1]
	}
	m.text = append(m.text, s[last:])
	for _, t := range m.text {
		if strings.Contains(t, "{{") || strings.Contains(t, "}}") {
			return message{}, fmt.Errorf("only {{.Name}} placeholders are supported: %q", s)
		}
	}
	return m, nil
}

// fill puts data's values (name, value pairs, each name a string) in the
// placeholders, printed as fmt.Sprint prints them (callers pass strings
// and numbers; a pointer would print as an address, where text/template
// printed what it points to); a missing one shows "<no value>", as
// text/template did.
func (m message) fill(data []any) string {
	var b strings.Builder
	for i, name := range m.names {
		b.WriteString(m.text[i])
		b.WriteString(valueOf(name, data))
	}
	b.WriteString(m.text[len(m.names)])
	return b.String()
}

func valueOf(name string, data []any) string {
	for i := 0; i+1 < len(data); i += 2 {
		if n, ok := data[i].(string); !ok || n != name {
			continue
		}
		switch v := data[i+1].(type) {
		case string:
			return v
		case int:
			return strconv.Itoa(v)
		case nil:
			return "<no value>"
		default:
			return fmt.Sprint(v)
		}
	}
	return "<no value>"
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
