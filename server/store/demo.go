package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
	"policebooth/server/auth"
)

// DemoStationName is the name of the demo data's station.
const DemoStationName = "海淀派出所"

// DemoPassword is the password of every demo account.
const DemoPassword = "booth-demo-2026"

// demoAccount is one account of the demo data.
type demoAccount struct {
	role  app.Role
	phone string
	name  string
	badge string
}

var demoAccounts = []demoAccount{
	{app.RoleAdmin, "13700000000", "系统管理员", ""},
	{app.RoleHead, "13800000000", "王建国", ""},
	{app.RoleOfficer, "13800000001", "李明", "110001"},
	{app.RoleOfficer, "13800000002", "张伟", "110002"},
	{app.RoleResident, "13900000001", "陈秀英", ""},
	{app.RoleResident, "13900000002", "刘德福", ""},
}

// demoPhones are the phones of every demo account, the history's included.
func demoPhones() []string {
	var phones []string
	for _, a := range slices.Concat(demoAccounts, demoHistoryOfficers, demoHistoryResidents()) {
		phones = append(phones, a.phone)
	}
	return phones
}

// LoadDemo loads the demo data of design.md: the same records on every load,
// created only when missing. It refuses (ECONFLICT) a database that holds
// accounts other than the demo ones, so demo passwords never sit beside
// real people's accounts.
func (s *Store) LoadDemo(ctx context.Context, log *slog.Logger) error {
	return s.LoadDemoAt(ctx, log, s.Now())
}

// LoadDemoAt is LoadDemo on a given clock: the demo's finished night shift
// ends an hour before now.
func (s *Store) LoadDemoAt(ctx context.Context, log *slog.Logger, now time.Time) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		if err := refuseForeignAccounts(tx); err != nil {
			return err
		}
		st, err := demoStation(tx)
		if err != nil {
			return err
		}
		boothA, err := demoBooth(tx, st.ID, app.Booth{Name: "A", NameEn: "A", Phone: "010-62550111", Lat: 39.9593, Lng: 116.2981})
		if err != nil {
			return err
		}
		boothB, err := demoBooth(tx, st.ID, app.Booth{Name: "B", NameEn: "B", Phone: "010-62550112", Lat: 39.9836, Lng: 116.3164})
		if err != nil {
			return err
		}
		for _, b := range []*app.Booth{boothA, boothB} {
			if err := s.demoHours(tx, st, b, now); err != nil {
				return err
			}
		}
		created, err := demoUsers(tx, st.ID, boothA.ID)
		if err != nil {
			return err
		}
		if err := demoShift(tx, st.ID, boothA.ID, now); err != nil {
			return err
		}
		log.Info("demo data loaded", "station_id", st.ID, "accounts_created", created)
		return nil
	})
}

// refuseForeignAccounts is ECONFLICT when the database holds accounts
// other than the demo's, so demo passwords never sit beside real people's.
func refuseForeignAccounts(tx *gorm.DB) error {
	var foreign int64
	if err := tx.Model(&app.User{}).Where("phone NOT IN ?", demoPhones()).Count(&foreign).Error; err != nil {
		return fmt.Errorf("store: demo: count accounts: %w", err)
	}
	if foreign > 0 {
		return app.Errorf(app.ECONFLICT, "demo data loads only into a database without real accounts, and this one holds other accounts (%d); start without --demo, or with a new POLICEBOOTH_DATA_DIR", foreign)
	}
	return nil
}

func demoStation(tx *gorm.DB) (*app.Station, error) {
	var st app.Station
	err := tx.Where("name = ?", DemoStationName).First(&st).Error
	if err == nil {
		return &st, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: demo station: %w", err)
	}
	st = app.Station{Name: DemoStationName, NameEn: "Haidian Station", TimeZone: "Asia/Shanghai", Phone: "010-62550110"}
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if err := tx.Create(&st).Error; err != nil {
		return nil, fmt.Errorf("store: demo station: %w", err)
	}
	return &st, nil
}

func demoBooth(tx *gorm.DB, stationID int64, b app.Booth) (*app.Booth, error) {
	err := tx.Where("station_id = ? AND name = ?", stationID, b.Name).First(&b).Error
	if err == nil {
		return &b, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("store: demo booth %s: %w", b.Name, err)
	}
	b.StationID = stationID
	if err := tx.Create(&b).Error; err != nil {
		return nil, fmt.Errorf("store: demo booth %s: %w", b.Name, err)
	}
	return &b, nil
}

// demoOpeningHours are the demo counters' hours: weekdays 09:00–12:00 and
// 13:30–17:30, Saturday mornings, in 15-minute slots of two visits.
var demoOpeningHours = func() []app.OpeningRange {
	var w []app.OpeningRange
	for d := 1; d <= 5; d++ {
		w = append(w, app.OpeningRange{Weekday: d, Opens: "09:00", Closes: "12:00", SlotMinutes: 15, Capacity: 2},
			app.OpeningRange{Weekday: d, Opens: "13:30", Closes: "17:30", SlotMinutes: 15, Capacity: 2})
	}
	return append(w, app.OpeningRange{Weekday: 6, Opens: "09:00", Closes: "12:00", SlotMinutes: 15, Capacity: 2})
}()

// demoHours gives a demo booth its opening hours, unless it has some, and
// opens their slots.
func (s *Store) demoHours(tx *gorm.DB, st *app.Station, b *app.Booth, now time.Time) error {
	h, err := openingHours(tx, b.ID)
	if err != nil {
		return err
	}
	if len(h.Weekly) == 0 {
		for _, r := range demoOpeningHours {
			row := openingRange{BoothID: b.ID, StationID: st.ID, Weekday: r.Weekday, Opens: r.Opens, Closes: r.Closes, SlotMinutes: r.SlotMinutes, Capacity: r.Capacity}
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("store: demo hours: %w", err)
			}
		}
		h.Weekly = demoOpeningHours
	}
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		return fmt.Errorf("store: demo hours: %w", err)
	}
	_, err = s.openBoothSlots(tx, b, *h, loc, dbTime(now))
	return err
}

// demoUsers creates the missing demo accounts. Every one gets the same
// hash: the password is public, and one argon2id run instead of six keeps
// loading quick.
func demoUsers(tx *gorm.DB, stationID, boothID int64) (int, error) {
	var existing []string
	if err := tx.Model(&app.User{}).Where("phone IN ?", demoPhones()).Pluck("phone", &existing).Error; err != nil {
		return 0, fmt.Errorf("store: demo accounts: %w", err)
	}
	have := make(map[string]bool, len(existing))
	for _, p := range existing {
		have[p] = true
	}
	var hash, pin string
	created := 0
	for _, a := range demoAccounts {
		if have[a.phone] {
			continue
		}
		if hash == "" {
			var err error
			if hash, err = auth.HashPassword(DemoPassword); err != nil {
				return 0, err
			}
			if pin, err = auth.HashPin(DemoPin); err != nil {
				return 0, err
			}
		}
		u := app.User{Role: a.role, Phone: a.phone, Name: a.name, Language: app.LanguageChinese, BadgeNo: a.badge,
			PasswordHash: hash, PhoneVerified: true}
		switch {
		case a.role.Staff():
			u.StationID, u.PinHash = &stationID, pin
		case a.role == app.RoleResident:
			u.HomeBoothID = &boothID
			u.PrivacyVersion = app.PrivacyVersion
		}
		if err := u.Validate(); err != nil {
			return 0, fmt.Errorf("store: demo account %s: %w", a.phone, err)
		}
		if err := tx.Create(&u).Error; err != nil {
			return 0, fmt.Errorf("store: demo account %s: %w", a.phone, err)
		}
		created++
	}
	// Demo residents have accepted the policy in force, also when the demo
	// was loaded under an older one.
	err := tx.Model(&app.User{}).Where("phone IN ? AND role = ?", demoPhones(), app.RoleResident).
		Where("privacy_version <> ? OR privacy_accepted_at IS NULL", app.PrivacyVersion).
		Updates(map[string]any{"privacy_version": app.PrivacyVersion, "privacy_accepted_at": gorm.Expr("created_at")}).Error
	if err != nil {
		return 0, fmt.Errorf("store: demo residents' privacy policy: %w", err)
	}
	return created, nil
}

// DemoAccountsExist reports whether any demo account is in the database,
// so the server can warn at every start that it holds public passwords.
func (s *Store) DemoAccountsExist(ctx context.Context) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&app.User{}).Where("phone IN ?", demoPhones()).Count(&n).Error; err != nil {
		return false, fmt.Errorf("store: demo accounts: %w", err)
	}
	return n > 0, nil
}

// DemoPin is every demo officer's PIN for switching on a shared tablet.
const DemoPin = "246810"

// demoShift gives booth A a finished night shift of 张伟 with a log and a
// handover for the next officer, once.
func demoShift(tx *gorm.DB, stationID, boothID int64, now time.Time) error {
	var n int64
	if err := tx.Model(&app.Shift{}).Where("station_id = ?", stationID).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	var officer app.User
	if err := tx.Where("phone = ?", "13800000002").First(&officer).Error; err != nil {
		return fmt.Errorf("store: demo shift: %w", err)
	}
	end := dbTime(now.Add(-time.Hour))
	start := end.Add(-8 * time.Hour)
	sh := app.Shift{StationID: stationID, BoothID: boothID, OfficerID: officer.ID, StartedAt: start, EndedAt: &end,
		HandoverNote: "3 号楼独居老人王大爷今早需回访；失物登记本在左侧抽屉，黑色钱包一只待认领。", CreatedAt: start, UpdatedAt: end}
	if err := tx.Omit(clause.Associations).Create(&sh).Error; err != nil {
		return fmt.Errorf("store: demo shift: %w", err)
	}
	for i, e := range []app.ShiftEntry{
		{Kind: app.EntryPatrol, Text: "夜间巡逻学院路一带，一切正常。"},
		{Kind: app.EntryFraudTalk, Text: "在社区广场向 12 位老人讲解冒充公检法诈骗。"},
	} {
		e.ShiftID, e.StationID, e.AuthorID, e.CreatedAt = sh.ID, stationID, &officer.ID, start.Add(time.Duration(i+1)*2*time.Hour)
		if err := tx.Create(&e).Error; err != nil {
			return fmt.Errorf("store: demo shift entry: %w", err)
		}
	}
	return nil
}
