package store

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"policebooth/server/app"
)

// demoHistoryDays is how far back the demo's history reaches.
const demoHistoryDays = 30

// demoHistorySeed makes every load of the history the same, given its end.
const demoHistorySeed = 20261202

// The history's own accounts: the rest of the station's officers, so both
// booths are covered around the clock in three 8-hour shifts, and the
// neighbourhood's residents who called and visited. Generated names, no
// real person's.
var (
	demoHistoryOfficers = []demoAccount{
		{app.RoleOfficer, "13800000003", "赵磊", "110003"},
		{app.RoleOfficer, "13800000004", "孙浩", "110004"},
		{app.RoleOfficer, "13800000005", "周婷", "110005"},
		{app.RoleOfficer, "13800000006", "吴强", "110006"},
	}
	demoSurnames   = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙"}
	demoGivenNames = []string{"桂兰", "志强", "淑珍", "海燕", "建华", "玉梅", "国庆", "丽娟", "宏伟", "春生", "秀兰", "永福"}
)

// demoHistoryResidents are the 24 generated residents: phones 13900001001
// to 13900001024, home booth A for odd numbers, B for even.
func demoHistoryResidents() []demoAccount {
	out := make([]demoAccount, 24)
	for i := range out {
		out[i] = demoAccount{app.RoleResident, fmt.Sprintf("139000010%02d", i+1),
			demoSurnames[i%len(demoSurnames)] + demoGivenNames[(i*5+3)%len(demoGivenNames)], ""}
	}
	return out
}

// DemoBlobWriter stores one blob of the demo's history (a document scan or
// a family picture) under key; writing the same key again replaces it.
type DemoBlobWriter func(ctx context.Context, key string, data []byte) error

// LoadDemoHistory writes a month of the demo station's past, ending at now:
// shifts at both booths around the clock with logs, handovers and
// sign-offs, assistance calls, service requests with documents, newborn
// registrations with a generated family picture, coverage gaps and notices
// with their reach. The same now gives the same records. The present stays
// clean: nobody is left on duty, no call or request is open, every urgent
// notice is read. It loads once: a station that already has calls is left
// as it is. Call it after LoadDemo; the blobs are written through put
// before the records that name them, outside the transaction.
func (s *Store) LoadDemoHistory(ctx context.Context, log *slog.Logger, now time.Time, put DemoBlobWriter) error {
	now = dbTime(now)
	var st app.Station
	if err := s.db.WithContext(ctx).Where("name = ?", DemoStationName).First(&st).Error; err != nil {
		return notFound("demo history: station", err)
	}
	if err := refuseForeignAccounts(s.db.WithContext(ctx)); err != nil {
		return err
	}
	loaded, err := s.demoHistoryLoaded(s.db.WithContext(ctx), st.ID)
	if err != nil || loaded {
		return err
	}
	types, err := s.ServiceTypes(ctx, st.ID)
	if err != nil {
		return err
	}
	var booths []app.Booth
	if err := s.db.WithContext(ctx).Where("station_id = ?", st.ID).Order("id").Find(&booths).Error; err != nil {
		return fmt.Errorf("store: demo history: booths: %w", err)
	}
	if len(booths) < 2 {
		return app.Errorf(app.ECONFLICT, "the demo station needs its two booths; load the demo first")
	}
	zone, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		return fmt.Errorf("store: demo history: zone: %w", err)
	}
	h := &demoHistory{now: now, zone: zone, station: st, booths: booths[:2], types: types,
		rnd: rand.New(rand.NewPCG(demoHistorySeed, uint64(now.Unix())))} // #nosec G115 G404 -- a deterministic demo: the seed is a time after 1970, nothing is secret

	doc, err := demoDocumentImage()
	if err != nil {
		return err
	}
	family, thumb, err := demoFamilyPicture()
	if err != nil {
		return err
	}
	for i := range demoAttachments {
		if err := put(ctx, demoAttachmentKey(i), doc); err != nil {
			return fmt.Errorf("store: demo history: document: %w", err)
		}
	}
	for i := range demoNewborns {
		full, display, small := demoPhotoKeys(i)
		for key, b := range map[string][]byte{full: family, display: family, small: thumb} {
			if err := put(ctx, key, b); err != nil {
				return fmt.Errorf("store: demo history: family picture: %w", err)
			}
		}
	}
	h.docSize, h.photoSize = int64(len(doc)), int64(len(family))

	err = s.tx(ctx, func(tx *gorm.DB) error {
		if err := refuseForeignAccounts(tx); err != nil {
			return err
		}
		if loaded, err := s.demoHistoryLoaded(tx, st.ID); err != nil || loaded {
			return err
		}
		if err := h.write(tx); err != nil {
			return err
		}
		return h.sealShifts(tx)
	})
	if err != nil {
		return err
	}
	log.Info("demo history loaded", "days", demoHistoryDays, "shifts", h.counts.shifts, "calls", h.counts.calls,
		"requests", h.counts.requests, "notices", h.counts.notices)
	return nil
}

// demoHistoryLoaded reports whether the station already has a past: any
// call means the history (or real use) is there.
func (s *Store) demoHistoryLoaded(db *gorm.DB, stationID int64) (bool, error) {
	var n int64
	if err := db.Model(&app.AssistanceCall{}).Where("station_id = ?", stationID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("store: demo history: %w", err)
	}
	return n > 0, nil
}

// demoHistory is the plan of one load of the history.
type demoHistory struct {
	now     time.Time
	zone    *time.Location
	station app.Station
	booths  []app.Booth
	types   []app.ServiceType
	rnd     *rand.Rand

	head      int64
	teams     [2][]int64  // officers of booth A and of booth B
	seals     []app.Shift // the shifts as signed off, once their logs are written
	residents [2][]int64  // residents by home booth; the two demo residents first at A
	shifts    []app.Shift
	docSize   int64
	photoSize int64
	counts    struct{ shifts, calls, requests, notices int }
}

func (h *demoHistory) write(tx *gorm.DB) error {
	if err := h.accounts(tx); err != nil {
		return err
	}
	steps := []func(*gorm.DB) error{h.writeShifts, h.writeCalls, h.writeRequests, h.writeNotices}
	for _, step := range steps {
		if err := step(tx); err != nil {
			return err
		}
	}
	return nil
}

// accounts creates the history's officers and residents with the demo
// password and PIN (their hashes copied from a demo officer: no hashing)
// and sorts everyone into booth teams.
func (h *demoHistory) accounts(tx *gorm.DB) error {
	var first app.User
	if err := tx.Where("phone = ?", "13800000001").First(&first).Error; err != nil {
		return fmt.Errorf("store: demo history: the demo officer: %w", err)
	}
	all := append(slices.Clone(demoHistoryOfficers), demoHistoryResidents()...)
	for i, a := range all {
		u := app.User{Role: a.role, Phone: a.phone, Name: a.name, Language: app.LanguageChinese, BadgeNo: a.badge,
			PasswordHash: first.PasswordHash, PhoneVerified: true}
		if a.role == app.RoleOfficer {
			u.StationID, u.PinHash = &h.station.ID, first.PinHash
		} else {
			u.HomeBoothID = &h.booths[(i+1)%2].ID
		}
		if err := u.Validate(); err != nil {
			return fmt.Errorf("store: demo history account %s: %w", a.phone, err)
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&u).Error; err != nil {
			return fmt.Errorf("store: demo history account %s: %w", a.phone, err)
		}
	}
	var users []app.User
	if err := tx.Where("phone IN ?", demoPhones()).Order("phone").Find(&users).Error; err != nil {
		return fmt.Errorf("store: demo history: accounts: %w", err)
	}
	// Booth A: 张伟 (…02, whose night shift LoadDemo wrote), …03, …05;
	// booth B: 李明 (…01), …04, …06.
	for _, u := range users {
		switch {
		case u.Role == app.RoleHead:
			h.head = u.ID
		case u.Role == app.RoleOfficer:
			n, _ := strconv.Atoi(u.Phone[len(u.Phone)-1:])
			h.teams[n%2] = append(h.teams[n%2], u.ID)
		case u.Role == app.RoleResident && u.HomeBoothID != nil:
			b := 0
			if *u.HomeBoothID == h.booths[1].ID {
				b = 1
			}
			h.residents[b] = append(h.residents[b], u.ID)
		}
	}
	if h.head == 0 || len(h.teams[0]) != 3 || len(h.teams[1]) != 3 || len(h.residents[0]) < 3 || len(h.residents[1]) < 3 {
		return app.Errorf(app.ECONFLICT, "the demo accounts are not as the demo loads them; load the history into a fresh demo")
	}
	return nil
}

// day is the start of the local day n days before now's.
func (h *demoHistory) day(n int) time.Time {
	y, m, d := h.now.In(h.zone).Date()
	return time.Date(y, m, d-n, 0, 0, 0, 0, h.zone)
}

// minutes is a random duration between lo and hi minutes.
func (h *demoHistory) minutes(lo, hi float64) time.Duration {
	return time.Duration((lo + h.rnd.Float64()*(hi-lo)) * float64(time.Minute))
}

// writeShifts lays three 8-hour shifts a day at each booth (00, 08 and
// 16 o'clock), each of the booth team's three officers working one a day
// and the next day's an earlier one (a backward rotation: never two in a
// row), with a few minutes' overlap for the handover, two late starts that left coverage gaps, and
// two to four log entries a shift. Each booth's last shift ended an hour
// before now, or where a shift already in the database begins.
func (h *demoHistory) writeShifts(tx *gorm.DB) error {
	var handoverNotes = []string{
		"一切正常，无遗留事项。",
		"学院路东口路灯不亮，已报市政；夜间巡逻多留意。",
		"6 号楼李阿姨反映楼道有陌生人推销保健品，请白班回访。",
		"失物登记本在左侧抽屉，一把电动车钥匙待认领。",
		"社区广场周末有反诈宣传活动，宣传册已放柜台下。",
		"小区北门施工，车辆绕行，注意交通疏导。",
	}
	entryTexts := map[string][]string{
		app.EntryPatrol:    {"巡逻学院路一带，一切正常。", "巡查社区广场及地下车库，未见异常。", "夜间巡逻 3 号楼至 8 号楼，提醒两户关好单元门。"},
		app.EntryVisit:     {"回访 3 号楼独居老人，身体状况良好。", "走访辖区商户 5 家，登记监控点位。", "回访上周纠纷双方，已无争执。"},
		app.EntryFraudTalk: {"在社区广场向 12 位老人讲解冒充公检法诈骗。", "向快递驿站店员讲解刷单返利诈骗识别。", "给来办事的居民发放反诈宣传册 20 份。"},
		app.EntryVisitor:   {"居民来问户口迁移材料，已告知清单。", "一位老人问路，已送至公交站。", "居民咨询护照办理时间，已登记预约。"},
		app.EntryNote:      {"岗亭打印机缺纸，已补充。", "平板充电线接触不良，已更换。", "接区分局通知：本周加强夜间巡逻。"},
	}
	cut := [2]time.Time{h.now.Add(-time.Hour), h.now.Add(-time.Hour)}
	for b, booth := range h.booths {
		var first []app.Shift
		if err := tx.Where("booth_id = ?", booth.ID).Order(`started_at`).Limit(1).Find(&first).Error; err != nil {
			return fmt.Errorf("store: demo history: shifts: %w", err)
		}
		if len(first) == 1 && first[0].StartedAt.Before(cut[b]) {
			cut[b] = first[0].StartedAt
		}
	}
	late := map[[3]int]time.Duration{{20, 1, 1}: 35 * time.Minute, {9, 0, 0}: 25 * time.Minute} // {day, booth, slot}
	var gaps []app.CoverageGap
	for b, booth := range h.booths {
		var prev *app.Shift
		for d := demoHistoryDays; d >= 0; d-- {
			for slot := range 3 {
				start := h.day(d).Add(time.Duration(slot) * 8 * time.Hour)
				end := start.Add(8 * time.Hour)
				if !start.Before(cut[b].Add(-2 * time.Hour)) {
					continue
				}
				if start.Before(h.now.AddDate(0, 0, -demoHistoryDays)) {
					continue
				}
				end = minTime(end, cut[b])
				officer := h.teams[b][((slot-d)%3+3)%3]
				sh := app.Shift{StationID: h.station.ID, BoothID: booth.ID, OfficerID: officer,
					StartedAt: dbTime(start.Add(-h.minutes(2, 9))), EndedAt: ref(dbTime(end.Add(h.minutes(0, 4))))}
				if delay, ok := late[[3]int{d, b, slot}]; ok && prev != nil {
					sh.StartedAt = dbTime(*prev.EndedAt).Add(delay)
					gaps = append(gaps, app.CoverageGap{StationID: h.station.ID, BoothID: booth.ID, StartedAt: *prev.EndedAt,
						EndedAt: ref(sh.StartedAt), CreatedAt: prev.EndedAt.Add(time.Duration(booth.CoverageGraceMinutes) * time.Minute)})
				}
				if end.Equal(cut[b]) {
					sh.EndedAt = ref(dbTime(cut[b]))
				}
				sh.HandoverNote = handoverNotes[h.rnd.IntN(len(handoverNotes))]
				if prev != nil {
					prev.HandoverAckBy, prev.HandoverAckAt = &officer, ref(dbTime(sh.StartedAt.Add(h.minutes(1, 6))))
				}
				sh.CreatedAt, sh.UpdatedAt = sh.StartedAt, *sh.EndedAt
				h.shifts = append(h.shifts, sh)
				prev = &h.shifts[len(h.shifts)-1]
			}
		}
	}
	// The head signs off most logs a day or so after they end; the last
	// two days' wait for review.
	for i := range h.shifts {
		sh := &h.shifts[i]
		if sh.EndedAt.After(h.now.Add(-48*time.Hour)) || h.rnd.IntN(10) == 0 {
			continue
		}
		at := dbTime(sh.EndedAt.Add(h.minutes(10*60, 30*60)))
		sh.SignedOffBy, sh.SignedOffAt, sh.UpdatedAt = &h.head, &at, at
		if h.rnd.IntN(4) == 0 {
			sh.SignOffNote = "记录完整，交接清楚。"
		}
	}
	// The seal goes on last (sealShifts), as a head's sign-off does: a
	// signed-off log takes no more entries.
	h.seals = make([]app.Shift, len(h.shifts))
	copy(h.seals, h.shifts)
	for i := range h.shifts {
		h.shifts[i].SignedOffBy, h.shifts[i].SignedOffAt, h.shifts[i].SignOffNote = nil, nil, ""
	}
	if err := tx.Omit(clause.Associations).CreateInBatches(&h.shifts, 200).Error; err != nil {
		return fmt.Errorf("store: demo history: shifts: %w", err)
	}
	if len(gaps) > 0 {
		if err := tx.CreateInBatches(&gaps, 50).Error; err != nil {
			return fmt.Errorf("store: demo history: gaps: %w", err)
		}
	}
	var entries []app.ShiftEntry
	for _, sh := range h.shifts {
		length := sh.EndedAt.Sub(sh.StartedAt)
		for range 2 + h.rnd.IntN(3) {
			kind := app.OfficerEntryKinds[h.rnd.IntN(len(app.OfficerEntryKinds))]
			texts := entryTexts[kind]
			at := dbTime(sh.StartedAt.Add(time.Duration(h.rnd.Float64() * float64(length))))
			entries = append(entries, app.ShiftEntry{ShiftID: sh.ID, StationID: sh.StationID, AuthorID: ref(sh.OfficerID),
				Kind: kind, Text: texts[h.rnd.IntN(len(texts))], CreatedAt: at})
		}
	}
	slices.SortFunc(entries, func(a, b app.ShiftEntry) int { return a.CreatedAt.Compare(b.CreatedAt) })
	if err := tx.CreateInBatches(&entries, 500).Error; err != nil {
		return fmt.Errorf("store: demo history: entries: %w", err)
	}
	h.counts.shifts = len(h.shifts)
	return nil
}

// onDuty is the history's shift at booth b at t, if any.
func (h *demoHistory) onDuty(b int, t time.Time) *app.Shift {
	for i := range h.shifts {
		sh := &h.shifts[i]
		if sh.BoothID == h.booths[b].ID && !t.Before(sh.StartedAt) && t.Before(*sh.EndedAt) {
			return sh
		}
	}
	return nil
}

// demoCallHours weighs the local hours of a category's calls: crime and
// domestic calls mostly in the evening and at night, medical ones in the
// morning (older residents), lost persons and traffic by day.
var demoCallHours = map[string][24]int{
	"crime":       {6, 5, 4, 3, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 5, 6, 7, 7, 7},
	"domestic":    {5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 6},
	"medical":     {1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 5, 4, 4, 4, 4, 4, 4, 3, 3, 2, 2, 1, 1},
	"lost_person": {0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 4, 3, 2, 1, 1, 0},
	"traffic":     {1, 1, 0, 0, 0, 1, 2, 6, 7, 4, 3, 3, 3, 3, 3, 4, 5, 7, 6, 3, 2, 2, 1, 1},
	"other":       {1, 1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 1},
}

var demoCallMessages = map[string][]string{
	"crime":       {"楼下有人撬电动车。", "家门锁被撬，屋里有翻动痕迹。", ""},
	"domestic":    {"邻居家争吵很凶，有摔东西的声音。", ""},
	"medical":     {"老人在小区门口摔倒，起不来。", "家里老人突然头晕。", ""},
	"lost_person": {"孩子在广场走散了，穿红色外套。", "家里老人出门两个小时没回来。"},
	"traffic":     {"路口两车相撞，堵住了。", "电动车和行人相撞，有人受伤。"},
	"other":       {"楼道里有烟味。", "小区门口有人摆摊占道。", ""},
}

// pick chooses an index with probability proportional to its weight.
func (h *demoHistory) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := h.rnd.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// writeCalls writes two to five calls a day, about three in five at
// booth A, acknowledged by the officer on duty there (escalated to the
// other booth when it was uncovered), mostly within the booth's limit and
// a few past it with their escalations; all closed two hours before now.
func (h *demoHistory) writeCalls(tx *gorm.DB) error {
	categories := []string{"crime", "medical", "lost_person", "domestic", "traffic", "other"}
	catWeights := []int{3, 4, 2, 2, 3, 3}
	var calls []app.AssistanceCall
	for d := demoHistoryDays - 1; d >= 0; d-- {
		for range 2 + h.rnd.IntN(4) {
			cat := categories[h.pick(catWeights)]
			hours := demoCallHours[cat]
			created := h.day(d).Add(time.Duration(h.pick(hours[:]))*time.Hour + h.minutes(0, 59.9))
			if created.After(h.now.Add(-2*time.Hour)) || created.Before(h.now.AddDate(0, 0, -demoHistoryDays)) {
				continue
			}
			b := 0
			if h.rnd.IntN(5) >= 3 {
				b = 1
			}
			msgs := demoCallMessages[cat]
			lat := h.booths[b].Lat + (h.rnd.Float64()-0.5)*0.01
			lng := h.booths[b].Lng + (h.rnd.Float64()-0.5)*0.01
			acc := float64(5 + h.rnd.IntN(40))
			call := app.AssistanceCall{StationID: h.station.ID, CallsThisHour: 1, BoothID: h.booths[b].ID, CallerID: ref(h.residents[b][h.rnd.IntN(len(h.residents[b]))]),
				Category: cat, Message: msgs[h.rnd.IntN(len(msgs))], Silent: h.rnd.IntN(25) == 0,
				Lat: &lat, Lng: &lng, AccuracyM: &acc, CreatedAt: dbTime(created)}
			call.LocationAt = &call.CreatedAt
			calls = append(calls, call)
		}
	}
	type plan struct {
		entries []app.CallEntry
		shift   *app.Shift
	}
	plans := make([]plan, len(calls))
	for i := range calls {
		c := &calls[i]
		b := 0
		if c.BoothID == h.booths[1].ID {
			b = 1
		}
		limit := time.Duration(h.booths[b].AckLimitSeconds) * time.Second
		if limit <= 0 {
			limit = 30 * time.Second
		}
		p := plan{entries: []app.CallEntry{{At: c.CreatedAt, ActorID: c.CallerID, Kind: "status", To: string(app.CallOpen)}}}
		sh := h.onDuty(b, c.CreatedAt)
		if sh == nil { // nobody at the booth: escalated at once, taken from the other booth
			sh = h.onDuty(1-b, c.CreatedAt)
			c.EscalationLevel = 1
		}
		if h.rnd.IntN(20) == 0 || sh == nil { // the caller cancelled: resolved by themselves
			closed := dbTime(c.CreatedAt.Add(h.minutes(0.3, 2)))
			c.Status, c.ClosedAt, c.UpdatedAt = app.CallCancelled, &closed, closed
			p.entries = append(p.entries, app.CallEntry{At: closed, ActorID: c.CallerID, Kind: "status", From: string(app.CallOpen), To: string(app.CallCancelled)})
			plans[i] = p
			continue
		}
		// Most within the limit (5 to 28 s); one in ten past it, with its
		// escalation steps.
		ack := time.Duration(5+h.rnd.IntN(24)) * time.Second
		if h.rnd.IntN(10) == 0 {
			ack = time.Duration(35+h.rnd.IntN(70)) * time.Second
		}
		for step, at := 1, c.CreatedAt.Add(limit); at.Before(c.CreatedAt.Add(ack)); step++ {
			c.EscalationLevel = max(c.EscalationLevel, step)
			p.entries = append(p.entries, app.CallEntry{At: dbTime(at), Kind: "escalation", Note: strconv.Itoa(step)})
			at = at.Add(app.EscalationDelay(step))
		}
		ackAt := dbTime(c.CreatedAt.Add(ack))
		enRoute := dbTime(ackAt.Add(h.minutes(0.5, 2)))
		onScene := dbTime(enRoute.Add(h.minutes(3, 9)))
		closed := dbTime(onScene.Add(h.minutes(8, 40)))
		c.Status, c.AcknowledgedBy, c.AcknowledgedAt, c.ClosedAt, c.UpdatedAt = app.CallResolved, &sh.OfficerID, &ackAt, &closed, closed
		officer := &sh.OfficerID
		p.entries = append(p.entries,
			app.CallEntry{At: ackAt, ActorID: officer, Kind: "status", From: string(app.CallOpen), To: string(app.CallAcknowledged)},
			app.CallEntry{At: enRoute, ActorID: officer, Kind: "status", From: string(app.CallAcknowledged), To: string(app.CallEnRoute)},
			app.CallEntry{At: onScene, ActorID: officer, Kind: "status", From: string(app.CallEnRoute), To: string(app.CallOnScene)},
			app.CallEntry{At: closed, ActorID: officer, Kind: "status", From: string(app.CallOnScene), To: string(app.CallResolved), Note: "已处置完毕。"})
		p.shift = sh
		plans[i] = p
	}
	if err := tx.Omit(clause.Associations).CreateInBatches(&calls, 200).Error; err != nil {
		return fmt.Errorf("store: demo history: calls: %w", err)
	}
	var entries []app.CallEntry
	var logged []app.ShiftEntry
	for i, c := range calls {
		for _, e := range plans[i].entries {
			e.CallID, e.StationID = c.ID, c.StationID
			entries = append(entries, e)
		}
		if sh := plans[i].shift; sh != nil {
			id := c.ID
			logged = append(logged,
				app.ShiftEntry{ShiftID: sh.ID, StationID: sh.StationID, Kind: app.EntryCall, Text: string(app.CallOpen), EventName: "assistance.created", RecordID: &id, CreatedAt: c.CreatedAt},
				app.ShiftEntry{ShiftID: sh.ID, StationID: sh.StationID, Kind: app.EntryCall, Text: string(app.CallResolved), EventName: "assistance.updated", RecordID: &id, CreatedAt: *c.ClosedAt})
		}
	}
	if err := tx.CreateInBatches(&entries, 500).Error; err != nil {
		return fmt.Errorf("store: demo history: call timelines: %w", err)
	}
	if len(logged) > 0 {
		if err := tx.CreateInBatches(&logged, 500).Error; err != nil {
			return fmt.Errorf("store: demo history: call log entries: %w", err)
		}
	}
	h.counts.calls = len(calls)
	return nil
}

// demoAttachments are the documents of the history's requests, by request
// number (the nth request written).
var demoAttachments = []int{1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34, 37, 40, 43, 46}

// demoNewborns are the newborn registrations of the history, by day
// before now: the first is the demo resident 陈秀英's.
var demoNewborns = []struct {
	day      int
	baby     string
	sex      string
	guardian string
	relation string
}{
	{12, "陈小雨", "female", "陈秀英", "guardian"},
	{19, "王子豪", "male", "王志强", "father"},
	{26, "刘欣怡", "female", "刘海燕", "mother"},
}

func demoAttachmentKey(i int) string { return fmt.Sprintf("demo/documents/%02d.jpg", i) }

func demoPhotoKeys(i int) (full, display, thumb string) {
	p := fmt.Sprintf("demo/photos/%02d", i)
	return p + "-full.jpg", p + "-display.jpg", p + "-thumb.jpg"
}

// writeRequests writes the counter's month: three to five visits on
// weekdays, fewer at weekends, in office hours, of the catalogue's mix
// (one in seven bundles residence migration with a passport renewal), most
// completed, some past their target, a few rejected or cancelled; none
// left open. Ticket counters follow, so today's next ticket does not
// collide.
func (h *demoHistory) writeRequests(tx *gorm.DB) error {
	weights := map[string]int{"household_migration": 5, "passport_renewal": 4, "id_card": 6, "residence_permit": 4,
		"no_criminal_record": 3, "lost_and_found": 3, "dispute": 2, "other": 2}
	var codes []string
	var ws []int
	target := map[string]int{}
	for _, t := range h.types {
		target[t.Code] = t.TargetMinutes
		if w, ok := weights[t.Code]; ok && t.Enabled {
			codes, ws = append(codes, t.Code), append(ws, w)
		}
	}
	if len(codes) == 0 {
		return app.Errorf(app.ECONFLICT, "the demo station offers no services")
	}
	newborns := map[int]int{}
	for i, n := range demoNewborns {
		newborns[n.day] = i
	}
	type visit struct {
		req      app.ServiceRequest
		services []string
		newborn  int // index in demoNewborns, or -1
	}
	var visits []visit
	tickets := map[[2]string]int{} // booth id, day → last ticket
	for d := demoHistoryDays - 1; d >= 0; d-- {
		day := h.day(d)
		n := 3 + h.rnd.IntN(3)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			n = h.rnd.IntN(2)
		}
		nb, hasNewborn := newborns[d]
		for i := range n + btoi(hasNewborn) {
			created := day.Add(8*time.Hour + 30*time.Minute + h.minutes(0, 8.5*60))
			if created.After(h.now.Add(-3*time.Hour)) || created.Before(h.now.AddDate(0, 0, -demoHistoryDays)) {
				continue
			}
			b := h.rnd.IntN(2)
			v := visit{newborn: -1}
			switch {
			case hasNewborn && i == n:
				v.services, v.newborn = []string{app.NewbornCode}, nb
				b = 0
			case h.rnd.IntN(7) == 0:
				v.services = []string{"household_migration", "passport_renewal"}
			default:
				v.services = []string{codes[h.pick(ws)]}
			}
			resident := h.residents[b][2+h.rnd.IntN(len(h.residents[b])-2)]
			switch {
			case v.newborn == 0, d == 8 && i == 0:
				resident, b = h.residents[0][0], 0 // 陈秀英
			case d == 15 && i == 0, d == 4 && i == 0:
				resident, b = h.residents[0][1], 0 // 刘德福
			}
			booth := h.booths[b]
			localDay := created.In(h.zone).Format(time.DateOnly)
			k := [2]string{strconv.FormatInt(booth.ID, 10), localDay}
			tickets[k]++
			arrived := dbTime(created) // the history's visitors filed at the counter
			r := app.ServiceRequest{StationID: h.station.ID, BoothID: booth.ID, ResidentID: ref(resident),
				Ticket: ticketLabel(booth.Name, tickets[k]), TicketDay: localDay, TicketNo: ref(tickets[k]),
				Checked: []string{}, CreatedAt: arrived, ArrivedAt: &arrived}
			for _, c := range v.services {
				r.TargetMinutes += target[c]
			}
			if v.newborn >= 0 {
				nbn := demoNewborns[v.newborn]
				r.Newborn = &app.Newborn{BabyName: nbn.baby, Sex: nbn.sex, BirthDate: day.AddDate(0, 0, -9).Format(time.DateOnly),
					BirthPlace: "北京市海淀医院", BirthCertificateNo: fmt.Sprintf("P110%07d", 1000+v.newborn),
					Guardians: []app.Guardian{{Name: nbn.guardian, Relation: nbn.relation}}}
			}
			v.req = r
			visits = append(visits, v)
		}
	}
	// The flow: accepted within minutes, worked on, then completed (one in
	// eight past its target), rejected with a reason or cancelled by the
	// resident.
	var timeline [][]app.TimelineEntry
	for i := range visits {
		r := &visits[i].req
		b := 0
		if r.BoothID == h.booths[1].ID {
			b = 1
		}
		sh := h.onDuty(b, r.CreatedAt)
		if sh == nil {
			sh = h.onDuty(1-b, r.CreatedAt)
		}
		var officer *int64
		if sh != nil {
			officer = ref(sh.OfficerID)
		}
		tl := []app.TimelineEntry{{At: r.CreatedAt, ActorID: r.ResidentID, Kind: "status", To: string(app.RequestSubmitted)}}
		roll := h.rnd.IntN(100)
		if visits[i].newborn >= 0 || officer == nil {
			roll = 99
		}
		switch {
		case roll < 5 && officer != nil:
			at := dbTime(r.CreatedAt.Add(h.minutes(3, 15)))
			r.Status, r.ClosedAt = app.RequestRejected, &at
			tl = append(tl, app.TimelineEntry{At: at, ActorID: officer, Kind: "status", From: string(app.RequestSubmitted), To: string(app.RequestRejected), Note: "材料不齐：缺少居民户口簿，请补齐后再来。"})
		case roll < 9:
			at := dbTime(r.CreatedAt.Add(h.minutes(5, 30)))
			r.Status, r.ClosedAt = app.RequestCancelled, &at
			tl = append(tl, app.TimelineEntry{At: at, ActorID: r.ResidentID, Kind: "status", From: string(app.RequestSubmitted), To: string(app.RequestCancelled)})
		default:
			accepted := dbTime(r.CreatedAt.Add(h.minutes(1, 8)))
			working := dbTime(accepted.Add(h.minutes(1, 5)))
			share := 0.35 + h.rnd.Float64()*0.55
			if h.rnd.IntN(8) == 0 {
				share = 1.1 + h.rnd.Float64()*0.5
			}
			done := dbTime(r.CreatedAt.Add(time.Duration(share * float64(r.TargetMinutes) * float64(time.Minute))))
			if !done.After(working) {
				done = working.Add(3 * time.Minute)
			}
			if officer == nil {
				officer = ref(h.teams[0][0])
			}
			r.Status, r.ClosedAt, r.AssigneeID = app.RequestCompleted, &done, officer
			r.CalledAt, r.WindowNo = &accepted, ref(app.DefaultWindow)
			tl = append(tl,
				app.TimelineEntry{At: accepted, ActorID: officer, Kind: "status", From: string(app.RequestSubmitted), To: string(app.RequestAccepted)},
				app.TimelineEntry{At: accepted, ActorID: officer, Kind: "assignment", To: strconv.FormatInt(*officer, 10)},
				app.TimelineEntry{At: working, ActorID: officer, Kind: "status", From: string(app.RequestAccepted), To: string(app.RequestInProgress)},
				app.TimelineEntry{At: done, ActorID: officer, Kind: "status", From: string(app.RequestInProgress), To: string(app.RequestCompleted)})
		}
		r.UpdatedAt = *r.ClosedAt
		timeline = append(timeline, tl)
	}
	reqs := make([]app.ServiceRequest, len(visits))
	for i := range visits {
		reqs[i] = visits[i].req
	}
	if err := tx.Omit(clause.Associations).CreateInBatches(&reqs, 200).Error; err != nil {
		return fmt.Errorf("store: demo history: requests: %w", err)
	}
	var services []app.RequestService
	var entries []app.TimelineEntry
	var attachments []app.Attachment
	var logged []app.ShiftEntry
	for i, r := range reqs {
		for _, c := range visits[i].services {
			services = append(services, app.RequestService{RequestID: r.ID, StationID: r.StationID, Code: c, Fields: map[string]string{}})
		}
		for _, e := range timeline[i] {
			e.RequestID, e.StationID = r.ID, r.StationID
			entries = append(entries, e)
		}
		if a := slices.Index(demoAttachments, i); a >= 0 && r.ResidentID != nil {
			at := dbTime(r.CreatedAt.Add(time.Minute))
			attachments = append(attachments, app.Attachment{RequestID: r.ID, StationID: r.StationID, UploaderID: *r.ResidentID,
				BlobKey: demoAttachmentKey(a), ContentType: "image/jpeg", Size: h.docSize, Name: "材料.jpg", CreatedAt: at})
			entries = append(entries, app.TimelineEntry{RequestID: r.ID, StationID: r.StationID, At: at, ActorID: r.ResidentID, Kind: "attachment", To: "0"})
		}
		b := 0
		if r.BoothID == h.booths[1].ID {
			b = 1
		}
		if sh := h.onDuty(b, *r.ClosedAt); sh != nil && r.Status == app.RequestCompleted {
			id := r.ID
			logged = append(logged, app.ShiftEntry{ShiftID: sh.ID, StationID: sh.StationID, Kind: app.EntryRequest,
				Text: string(r.Status), EventName: "request.updated", RecordID: &id, CreatedAt: *r.ClosedAt})
		}
	}
	if err := tx.CreateInBatches(&services, 500).Error; err != nil {
		return fmt.Errorf("store: demo history: request services: %w", err)
	}
	if len(attachments) > 0 {
		if err := tx.CreateInBatches(&attachments, 100).Error; err != nil {
			return fmt.Errorf("store: demo history: documents: %w", err)
		}
		// The timeline of a document names it by id.
		byRequest := map[int64]int64{}
		for _, a := range attachments {
			byRequest[a.RequestID] = a.ID
		}
		for i := range entries {
			if entries[i].Kind == "attachment" {
				entries[i].To = strconv.FormatInt(byRequest[entries[i].RequestID], 10)
			}
		}
	}
	if err := tx.CreateInBatches(&entries, 500).Error; err != nil {
		return fmt.Errorf("store: demo history: request timelines: %w", err)
	}
	if len(logged) > 0 {
		if err := tx.CreateInBatches(&logged, 500).Error; err != nil {
			return fmt.Errorf("store: demo history: request log entries: %w", err)
		}
	}
	counters := make([]ticketCounter, 0, len(tickets))
	for k, last := range tickets {
		id, _ := strconv.ParseInt(k[0], 10, 64)
		counters = append(counters, ticketCounter{BoothID: id, Day: k[1], StationID: h.station.ID, Last: last})
	}
	slices.SortFunc(counters, func(a, b ticketCounter) int {
		if a.Day != b.Day {
			return strings.Compare(a.Day, b.Day)
		}
		return int(a.BoothID - b.BoothID)
	})
	err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "booth_id"}, {Name: "day"}},
		DoUpdates: clause.Set{{Column: clause.Column{Name: "last"}, Value: gorm.Expr("CASE WHEN ticket_counters.last > excluded.last THEN ticket_counters.last ELSE excluded.last END")}}}).
		CreateInBatches(&counters, 200).Error
	if err != nil {
		return fmt.Errorf("store: demo history: ticket counters: %w", err)
	}
	h.counts.requests = len(reqs)
	newborn := make([]int, len(visits))
	for i, v := range visits {
		newborn[i] = v.newborn
	}
	return h.writeNewbornPhotos(tx, reqs, newborn)
}

// writeNewbornPhotos records, for each completed newborn registration, the
// guardian's consent and the family picture (generated, not a photograph),
// kept in the family's account.
func (h *demoHistory) writeNewbornPhotos(tx *gorm.DB, reqs []app.ServiceRequest, newborn []int) error {
	for i, r := range reqs {
		n := newborn[i]
		if n < 0 || r.Status != app.RequestCompleted || r.AssigneeID == nil {
			continue
		}
		nb := demoNewborns[n]
		at := dbTime(r.ClosedAt.Add(2 * time.Minute))
		consent := app.PhotoConsent{StationID: r.StationID, RequestID: r.ID, GuardianName: nb.guardian, GuardianRelation: nb.relation,
			KeepInAccount: true, RecordedBy: *r.AssigneeID, CreatedAt: at}
		if err := tx.Create(&consent).Error; err != nil {
			return fmt.Errorf("store: demo history: photo consent: %w", err)
		}
		days := h.station.PhotoRetentionDays
		if days <= 0 {
			days = 90
		}
		full, display, thumb := demoPhotoKeys(n)
		taken := at.Add(3 * time.Minute)
		p := app.Photo{StationID: r.StationID, RequestID: r.ID, ConsentID: consent.ID, TakenBy: *r.AssigneeID,
			FullKey: full, DisplayKey: display, ThumbKey: thumb, Width: demoPictureW, Height: demoPictureH, Size: h.photoSize,
			Keep: n == 0, CreatedAt: taken, DeleteAfter: taken.AddDate(0, 0, days)}
		if err := tx.Create(&p).Error; err != nil {
			return fmt.Errorf("store: demo history: photo: %w", err)
		}
		tl := []app.TimelineEntry{
			{RequestID: r.ID, StationID: r.StationID, At: at, ActorID: r.AssigneeID, Kind: kindConsent, To: strconv.FormatInt(consent.ID, 10)},
			{RequestID: r.ID, StationID: r.StationID, At: taken, ActorID: r.AssigneeID, Kind: kindPhoto, To: strconv.FormatInt(p.ID, 10)},
		}
		if err := tx.Create(&tl).Error; err != nil {
			return fmt.Errorf("store: demo history: photo timeline: %w", err)
		}
	}
	return nil
}

// writeNotices writes six notices of the month, by the head and officers:
// anti-fraud warnings (urgent ones acknowledged by every demo resident),
// safety, service changes and a missing person found again (withdrawn),
// each with its reach among the residents.
func (h *demoHistory) writeNotices(tx *gorm.DB) error {
	type draft struct {
		day     int
		kind    app.NoticeKind
		sev     app.NoticeSeverity
		urgent  bool
		title   string
		body    string
		days    int // how long it runs
		booth   int // -1: the whole station
		author  int64
		revoked string
	}
	officer := h.teams[0][0]
	drafts := []draft{
		{27, app.NoticeAntiFraud, app.SeveritySevere, true, "警惕冒充公检法诈骗电话", "近期辖区多位老人接到自称“公安局”的电话，称其涉嫌洗钱并要求转账到“安全账户”。公安机关不会电话办案，更没有“安全账户”。接到此类电话请立即挂断，拨打 110 或到岗亭咨询。", 20, -1, h.head, ""},
		{22, app.NoticeServiceChange, app.SeverityMinor, false, "国庆后户籍窗口办理时间调整", "即日起户籍业务窗口周一至周五 8:30–17:30 办理，周六上午 9:00–12:00 只办理身份证领取。", 40, -1, h.head, ""},
		{16, app.NoticeMissingPerson, app.SeveritySevere, true, "寻人：78 岁老人走失", "王大爷，78 岁，身高约 1.65 米，穿灰色外套，今天上午从学院路小区走失，有轻度认知障碍。如有线索请联系岗亭。", 3, 0, officer, "老人已于当晚找到，感谢大家。"},
		{11, app.NoticeSafety, app.SeverityModerate, false, "冬季用电用气安全提醒", "天气转冷，请勿在楼道给电动车充电，使用燃气取暖后注意开窗通风，家中老人独居的请邻里多关照。", 60, -1, officer, ""},
		{6, app.NoticeAntiFraud, app.SeverityModerate, true, "警惕“刷单返利”和“网购退款”诈骗", "任何要求先垫付资金的刷单都是诈骗；自称客服要求屏幕共享、下载会议软件退款的也是诈骗。", 30, -1, h.head, ""},
		{2, app.NoticeSafety, app.SeverityMinor, false, "小区北门施工，注意绕行", "小区北门道路施工至本月底，车辆请从东门出入，行人注意安全。", 25, 1, h.teams[1][0], ""},
	}
	var residents []app.User
	if err := tx.Where("role = ? AND phone IN ?", app.RoleResident, demoPhones()).Order("id").Find(&residents).Error; err != nil {
		return fmt.Errorf("store: demo history: residents: %w", err)
	}
	for i, d := range drafts {
		starts := dbTime(h.day(d.day).Add(9*time.Hour + h.minutes(0, 120)))
		n := app.Notice{StationID: h.station.ID, AuthorID: &d.author, Title: d.title, Body: d.body, Kind: d.kind, Severity: d.sev,
			Urgent: d.urgent, Public: true, Language: app.LanguageChinese, StartsAt: starts, ExpiresAt: starts.AddDate(0, 0, d.days),
			Version: 1, AnnouncedAt: &starts, CreatedAt: starts, UpdatedAt: starts}
		if d.revoked != "" {
			at := dbTime(starts.Add(h.minutes(6*60, 10*60)))
			n.Version, n.WithdrawnAt, n.WithdrawnBy, n.WithdrawReason, n.UpdatedAt = 2, &at, &d.author, d.revoked, at
		}
		if err := tx.Omit(clause.Associations).Create(&n).Error; err != nil {
			return fmt.Errorf("store: demo history: notice: %w", err)
		}
		revs := []app.NoticeRevision{{NoticeID: n.ID, StationID: n.StationID, Version: 1, MsgType: app.MsgAlert, ActorID: &d.author, At: starts}}
		if n.WithdrawnAt != nil {
			revs = append(revs, app.NoticeRevision{NoticeID: n.ID, StationID: n.StationID, Version: 2, MsgType: app.MsgCancel, ActorID: &d.author, At: *n.WithdrawnAt, Note: d.revoked})
		}
		if err := tx.Create(&revs).Error; err != nil {
			return fmt.Errorf("store: demo history: notice revisions: %w", err)
		}
		if d.booth >= 0 {
			nb := app.NoticeBooth{NoticeID: n.ID, BoothID: h.booths[d.booth].ID, StationID: n.StationID}
			if err := tx.Create(&nb).Error; err != nil {
				return fmt.Errorf("store: demo history: notice booth: %w", err)
			}
		}
		var receipts []app.NoticeReceipt
		for j, u := range residents {
			if d.booth >= 0 && (u.HomeBoothID == nil || *u.HomeBoothID != h.booths[d.booth].ID) {
				continue
			}
			demo := j < 2 // the two demo residents: every urgent notice read and acknowledged
			if !demo && (i+j)%5 == 0 {
				continue // not reached: the resident did not open the app in time
			}
			rc := app.NoticeReceipt{NoticeID: n.ID, UserID: u.ID, StationID: n.StationID, ReceivedAt: dbTime(starts.Add(h.minutes(1, 180)))}
			if demo || (i+j)%3 != 0 {
				rc.ReadAt = ref(dbTime(rc.ReceivedAt.Add(h.minutes(1, 60))))
				if n.NeedsAcknowledgement() && (demo || (i+j)%2 == 0) {
					rc.AcknowledgedAt = ref(dbTime(rc.ReadAt.Add(h.minutes(0.5, 5))))
				}
			}
			receipts = append(receipts, rc)
		}
		if len(receipts) > 0 {
			if err := tx.CreateInBatches(&receipts, 200).Error; err != nil {
				return fmt.Errorf("store: demo history: notice receipts: %w", err)
			}
		}
		h.counts.notices++
	}
	return nil
}

// The generated pictures' size.
const (
	demoPictureW = 960
	demoPictureH = 720
)

// demoFamilyPicture draws the demo's family picture: a flat illustration
// of three figures before the booth under a sun (no photograph of anyone),
// at display size and as a thumbnail.
func demoFamilyPicture() (picture, thumb []byte, err error) {
	draw := func(w, h int) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		sx := func(v float64) int { return int(v * float64(w)) }
		sy := func(v float64) int { return int(v * float64(h)) }
		fill := func(x0, y0, x1, y1 int, c color.RGBA) {
			for y := max(y0, 0); y < min(y1, h); y++ {
				for x := max(x0, 0); x < min(x1, w); x++ {
					img.SetRGBA(x, y, c)
				}
			}
		}
		circle := func(cx, cy, r int, c color.RGBA) {
			for y := cy - r; y <= cy+r; y++ {
				for x := cx - r; x <= cx+r; x++ {
					if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r && x >= 0 && y >= 0 && x < w && y < h {
						img.SetRGBA(x, y, c)
					}
				}
			}
		}
		for y := range h { // sky to grass
			t := float64(y) / float64(h)
			c := color.RGBA{uint8(150 + 60*t), uint8(200 + 30*t), 245, 255}
			if t > 0.72 {
				c = color.RGBA{110, 180, 90, 255}
			}
			fill(0, y, w, y+1, c)
		}
		circle(sx(0.85), sy(0.16), sx(0.07), color.RGBA{255, 204, 51, 255})
		fill(sx(0.06), sy(0.32), sx(0.34), sy(0.72), color.RGBA{36, 76, 160, 255}) // the booth
		fill(sx(0.04), sy(0.27), sx(0.36), sy(0.33), color.RGBA{20, 45, 110, 255})
		fill(sx(0.12), sy(0.40), sx(0.28), sy(0.52), color.RGBA{220, 235, 255, 255})
		people := []struct {
			x, height float64
			shirt     color.RGBA
		}{{0.50, 0.40, color.RGBA{200, 60, 60, 255}}, {0.64, 0.36, color.RGBA{240, 150, 60, 255}}, {0.76, 0.22, color.RGBA{90, 160, 220, 255}}}
		for _, p := range people {
			top := 0.78 - p.height
			head := p.height * 0.16
			circle(sx(p.x), sy(top+head/2), sy(head/2), color.RGBA{245, 205, 170, 255})
			fill(sx(p.x-0.035), sy(top+head), sx(p.x+0.035), sy(top+p.height*0.62), p.shirt)
			fill(sx(p.x-0.03), sy(top+p.height*0.62), sx(p.x+0.03), sy(0.78), color.RGBA{60, 60, 80, 255})
		}
		return img
	}
	enc := func(img image.Image) ([]byte, error) {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
			return nil, fmt.Errorf("store: demo picture: %w", err)
		}
		return b.Bytes(), nil
	}
	if picture, err = enc(draw(demoPictureW, demoPictureH)); err != nil {
		return nil, nil, err
	}
	thumb, err = enc(draw(320, 240))
	return picture, thumb, err
}

// demoDocumentImage draws a scanned-looking form: a white page with a
// title bar and lines of text as grey bars.
func demoDocumentImage() ([]byte, error) {
	const w, h = 600, 800
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(250)
			switch {
			case y > 60 && y < 100 && x > 150 && x < 450:
				v = 90
			case y > 150 && y < 720 && (y-150)%40 < 12 && x > 60 && x < 60+int(480*(0.6+0.4*math.Abs(math.Sin(float64(y))))):
				v = 170
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("store: demo document: %w", err)
	}
	return b.Bytes(), nil
}

func ref[T any](v T) *T { return &v }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sealShifts signs off the shifts the plan signed off, after every entry
// of their logs is written.
func (h *demoHistory) sealShifts(tx *gorm.DB) error {
	for i, sh := range h.seals {
		if sh.SignedOffAt == nil {
			continue
		}
		err := tx.Model(&app.Shift{}).Where("id = ?", h.shifts[i].ID).Updates(map[string]any{
			"signed_off_by": sh.SignedOffBy, "signed_off_at": sh.SignedOffAt, "sign_off_note": sh.SignOffNote, "updated_at": sh.UpdatedAt}).Error
		if err != nil {
			return fmt.Errorf("store: demo history: sign off: %w", err)
		}
		h.shifts[i].SignedOffBy, h.shifts[i].SignedOffAt, h.shifts[i].SignOffNote = sh.SignedOffBy, sh.SignedOffAt, sh.SignOffNote
	}
	return nil
}
