package store_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"policebooth/server/app"
)

// otherCode returns a six-digit code that is not code.
func otherCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestPhoneCodes(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	const phone = "13900000001"

	code, err := st.IssueCode(ctx, "+86 139 0000 0001", app.CodeVerify, app.LanguageChinese)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9]{6}$`).MatchString(code) {
		t.Fatalf("code %q: want six digits", code)
	}
	var stored []byte
	st.DB().Table("phone_codes").Where("phone = ?", phone).Select("code_hash").Row().Scan(&stored)
	if len(stored) == 0 || strings.Contains(string(stored), code) {
		t.Fatal("the code is not stored hashed")
	}

	// The code proves one purpose only, and works once.
	if err := st.CheckCode(ctx, phone, app.CodeReset, code); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("verify code used for a reset: %v, want invalid", err)
	}
	if err := st.CheckCode(ctx, "139-0000-0001", app.CodeVerify, " "+code+" "); err != nil {
		t.Fatalf("the right code: %v", err)
	}
	err = st.CheckCode(ctx, phone, app.CodeVerify, code)
	if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "already used") {
		t.Fatalf("the code a second time: %v, want invalid, already used", err)
	}

	// A new code replaces the old one.
	first, _ := st.IssueCode(ctx, phone, app.CodeReset, app.LanguageChinese)
	second, _ := st.IssueCode(ctx, phone, app.CodeReset, app.LanguageChinese)
	if first != second {
		if err := st.CheckCode(ctx, phone, app.CodeReset, first); app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("a replaced code: %v, want invalid", err)
		}
	}
	if err := st.CheckCode(ctx, phone, app.CodeReset, second); err != nil {
		t.Fatalf("the newest code: %v", err)
	}

	if err := st.CheckCode(ctx, "13900000002", app.CodeVerify, code); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a number no code was sent to: %v, want invalid", err)
	}
	if _, err := st.IssueCode(ctx, "110", app.CodeVerify, app.LanguageChinese); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("code for a bad number: %v, want invalid", err)
	}
	if _, err := st.IssueCode(ctx, phone, "login", app.LanguageChinese); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("code for an unknown purpose: %v, want invalid", err)
	}
}

func TestPhoneCodeExpires(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	const phone = "13900000001"
	code, err := st.IssueCode(ctx, phone, app.CodeVerify, app.LanguageChinese)
	if err != nil {
		t.Fatal(err)
	}
	var expires time.Time
	st.DB().Table("phone_codes").Where("phone = ?", phone).Select("expires_at").Row().Scan(&expires)
	if d := expires.Sub(clockOf(t).Now()); d < 9*time.Minute || d > 10*time.Minute {
		t.Fatalf("code expires in %v, want 10 minutes", d)
	}
	// Ten minutes pass.
	st.DB().Table("phone_codes").Where("phone = ?", phone).Update("expires_at", clockOf(t).Now().Add(-time.Second))
	err = st.CheckCode(ctx, phone, app.CodeVerify, code)
	if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "expired") {
		t.Fatalf("an expired code: %v, want invalid, expired", err)
	}
}

func TestPhoneCodeAttemptLimit(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	const phone = "13900000001"
	code, err := st.IssueCode(ctx, phone, app.CodeReset, app.LanguageChinese)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		err := st.CheckCode(ctx, phone, app.CodeReset, otherCode(code))
		if app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("wrong code %d: %v, want invalid", i+1, err)
		}
	}
	if err := st.CheckCode(ctx, phone, app.CodeReset, code); app.ErrorCode(err) != app.ERATELIMIT {
		t.Fatalf("the right code after 5 wrong ones: %v, want rate limited", err)
	}
	// A new code starts a new count.
	code, _ = st.IssueCode(ctx, phone, app.CodeReset, app.LanguageChinese)
	if err := st.CheckCode(ctx, phone, app.CodeReset, code); err != nil {
		t.Fatalf("a fresh code after the limit: %v", err)
	}
}
