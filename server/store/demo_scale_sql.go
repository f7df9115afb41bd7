package store

// demoScaleSteps are the generator's statements, run in order in one
// transaction. The one that makes gen_params takes LoadDemoScale's parameters
// (demoScaleArgs); the rest read them from gen_params. pg_temp.h(x, salt) is the
// deterministic "random" number in [0, 1) of row x. Time zone: every
// generated station keeps Asia/Shanghai, so local days and hours are
// computed in it.
var demoScaleSteps = []demoScaleStep{
	{"hash function", `CREATE FUNCTION pg_temp.h(x bigint, salt int) RETURNS double precision
		LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
		$$ SELECT (hashint8extended(x, salt) & 2147483647)::float8 / 2147483648 $$`},
	{"parameters", `CREATE TEMP TABLE gen_params ON COMMIT DROP AS SELECT q.*,
		((date_trunc('day', q.now AT TIME ZONE 'Asia/Shanghai') - make_interval(days => q.days)) AT TIME ZONE 'Asia/Shanghai') AS t0,
		(SELECT max(id) FROM stations) AS station_base, (SELECT max(id) FROM booths) AS booth_base,
		(SELECT max(id) FROM users) AS user_base,
		(SELECT coalesce(max(id), 0) FROM shifts) AS shift_base, (SELECT coalesce(max(id), 0) FROM shift_entries) AS entry_base,
		(SELECT coalesce(max(id), 0) FROM coverage_gaps) AS gap_base, (SELECT coalesce(max(id), 0) FROM assistance_calls) AS call_base,
		(SELECT coalesce(max(id), 0) FROM call_entries) AS call_entry_base, (SELECT coalesce(max(id), 0) FROM call_messages) AS message_base,
		(SELECT coalesce(max(id), 0) FROM service_requests) AS request_base, (SELECT coalesce(max(id), 0) FROM timeline_entries) AS timeline_base,
		(SELECT coalesce(max(id), 0) FROM events) AS event_base, (SELECT coalesce(max(id), 0) FROM audit_entries) AS audit_base,
		(SELECT coalesce(max(id), 0) FROM notices) AS notice_base, (SELECT coalesce(max(id), 0) FROM notice_revisions) AS revision_base,
		(SELECT location_retention_days FROM stations WHERE name = '海淀派出所') AS location_days,
		ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周','徐','孙','马','朱','胡','郭','何','高','林','罗'] AS surnames,
		ARRAY['伟','芳','娜','秀英','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛','明','超','秀兰','霞'] AS given
		FROM (SELECT CAST(? AS timestamptz) AS now, CAST(? AS int) AS days, CAST(? AS int) AS stations, CAST(? AS int) AS per_station,
			CAST(? AS int) AS officers_per_booth, CAST(? AS int) AS residents, CAST(? AS bigint) AS requests, CAST(? AS bigint) AS calls,
			CAST(? AS int) AS notices, CAST(? AS text) AS hash, CAST(? AS bigint) AS demo_station,
			make_interval(secs => CAST(? AS bigint)) AS replay, CAST(? AS text) AS privacy) q`},

	// --- stations, booths and people ---------------------------------------
	{"stations plan", `CREATE TEMP TABLE gen_stations ON COMMIT DROP AS
		SELECT n, CASE WHEN n = 1 THEN p.demo_station ELSE p.station_base + n - 1 END AS id
		FROM gen_params p, generate_series(1, p.stations) n`},
	{"stations", `INSERT INTO stations (id, name, name_en, time_zone, phone, created_at, updated_at)
		SELECT s.id, format('海淀第%s派出所', lpad(s.n::text, 2, '0')), format('Haidian Station %s', lpad(s.n::text, 2, '0')),
			'Asia/Shanghai', format('010-6255%s', lpad(s.n::text, 4, '0')), p.t0 - interval '30 days', p.t0 - interval '30 days'
		FROM gen_stations s, gen_params p WHERE s.n > 1`},
	{"booths plan", `CREATE TEMP TABLE gen_booths ON COMMIT DROP AS
		SELECT p.booth_base + row_number() OVER (ORDER BY s.n, j) AS id, row_number() OVER (ORDER BY s.n, j) - 1 AS g,
			s.n, s.id AS station_id, j, chr(65 + j) AS name
		FROM gen_params p, gen_stations s, generate_series(0, p.per_station - 1) j
		WHERE s.n > 1 OR j >= 2`},
	{"booths", `INSERT INTO booths (id, station_id, name, name_en, phone, lat, lng, created_at, updated_at)
		SELECT b.id, b.station_id, b.name, b.name, format('010-6256%s', lpad(b.g::text, 4, '0')),
			39.90 + 0.012 * b.n + 0.002 * b.j, 116.25 + 0.004 * b.n + 0.006 * b.j, p.t0 - interval '30 days', p.t0 - interval '30 days'
		FROM gen_booths b, gen_params p`},
	{"staff plan", `CREATE TEMP TABLE gen_staff ON COMMIT DROP AS
		SELECT p.user_base + row_number() OVER (ORDER BY s.n, k) AS id, s.n, s.id AS station_id, k
		FROM gen_params p, gen_stations s, generate_series(0, p.per_station * p.officers_per_booth - 1) k
		WHERE s.n > 1 OR k > 0`},
	{"staff", `INSERT INTO users (id, role, phone, name, language, station_id, badge_no, password_hash, phone_verified,
			created_at, updated_at, privacy_version, privacy_accepted_at)
		SELECT st.id, CASE WHEN st.k = 0 THEN 'head' ELSE 'officer' END, '152' || lpad((st.n * 100 + st.k)::text, 8, '0'),
			p.surnames[1 + (st.id % 20)] || p.given[1 + ((st.id / 20) % 20)], 'zh-CN', st.station_id,
			CASE WHEN st.k = 0 THEN '' ELSE format('G%s%s', lpad(st.n::text, 2, '0'), lpad(st.k::text, 3, '0')) END,
			p.hash, true, p.t0 - interval '30 days', p.t0 - interval '30 days', p.privacy, p.t0 - interval '30 days'
		FROM gen_staff st, gen_params p`},
	{"heads", `CREATE TEMP TABLE gen_heads ON COMMIT DROP AS
		SELECT s.id AS station_id, coalesce(st.id, (SELECT u.id FROM users u WHERE u.phone = '13800000000')) AS head_id
		FROM gen_stations s LEFT JOIN gen_staff st ON st.station_id = s.id AND st.k = 0`},
	{"residents", `INSERT INTO users (id, role, phone, name, language, home_booth_id, password_hash, phone_verified,
			elder_mode, created_at, updated_at, privacy_version, privacy_accepted_at)
		SELECT r.id, 'resident', '153' || lpad(r.i::text, 8, '0'), p.surnames[1 + (r.i % 20)] || p.given[1 + ((r.i / 20) % 20)],
			CASE WHEN pg_temp.h(r.i, 1) < 0.05 THEN 'en' ELSE 'zh-CN' END,
			p.booth_base + 1 + r.i % (SELECT count(*) FROM gen_booths), p.hash, true,
			CASE WHEN pg_temp.h(r.i, 2) < 0.15 THEN true END, r.at, r.at, p.privacy, r.at
		FROM gen_params p, LATERAL (SELECT i, p.user_base + (SELECT count(*) FROM gen_staff) + 1 + i AS id,
			p.t0 - make_interval(secs => pg_temp.h(i, 3) * 365 * 86400) AS at
			FROM generate_series(0, p.residents - 1) i) r`},

	// --- shifts around the clock, four of six hours a day per booth ---------
	{"shifts plan", `CREATE TEMP TABLE gen_shifts ON COMMIT DROP AS
		WITH slots AS (
			SELECT b.id AS booth_id, b.station_id, b.g, b.n, b.j, k, p.t0 + k * interval '6 hours' AS nominal,
				CASE WHEN k > 0 AND pg_temp.h(b.g * 100000 + k, 11) < 0.025 THEN 15 + floor(30 * pg_temp.h(b.g * 100000 + k, 12))
					ELSE floor(7 * pg_temp.h(b.g * 100000 + k, 13)) END AS late_minutes
			FROM gen_booths b, gen_params p, generate_series(0, ceil(extract(epoch FROM p.now - p.t0) / 21600)::int - 1) k
		), planned AS (
			SELECT sl.*, sl.nominal + make_interval(mins => sl.late_minutes::int) AS started_at,
				CASE WHEN sl.nominal + interval '6 hours' <= p.now THEN sl.nominal + interval '6 hours' END AS ended_at,
				st.id AS officer_id, hd.head_id
			FROM slots sl CROSS JOIN gen_params p
			JOIN gen_staff st ON st.station_id = sl.station_id AND st.k = 1 + (sl.k * p.per_station + sl.j) % (p.per_station * p.officers_per_booth - 1)
			JOIN gen_heads hd ON hd.station_id = sl.station_id
			WHERE sl.nominal + make_interval(mins => sl.late_minutes::int) < p.now
		)
		SELECT p.shift_base + row_number() OVER (ORDER BY pl.started_at, pl.g) AS id, pl.*,
			lead(pl.officer_id) OVER w AS next_officer, lead(pl.started_at) OVER w AS next_started,
			lag(pl.ended_at) OVER w AS previous_ended
		FROM planned pl, gen_params p
		WINDOW w AS (PARTITION BY pl.booth_id ORDER BY pl.k)`},
	{"shifts", `INSERT INTO shifts (id, station_id, booth_id, officer_id, started_at, ended_at, handover_note, handover_ack_by, handover_ack_at, created_at, updated_at)
		SELECT s.id, s.station_id, s.booth_id, s.officer_id, s.started_at, s.ended_at,
			CASE WHEN s.ended_at IS NOT NULL THEN '交接：辖区平稳，无遗留事项。' ELSE '' END,
			CASE WHEN s.ended_at IS NOT NULL THEN s.next_officer END, CASE WHEN s.ended_at IS NOT NULL THEN s.next_started END,
			s.started_at, coalesce(s.next_started, s.ended_at, s.started_at)
		FROM gen_shifts s`},
	{"coverage gaps", `INSERT INTO coverage_gaps (id, station_id, booth_id, started_at, ended_at, created_at)
		SELECT p.gap_base + row_number() OVER (ORDER BY s.started_at, s.g), s.station_id, s.booth_id, s.previous_ended, s.started_at,
			s.previous_ended + interval '10 minutes'
		FROM gen_shifts s, gen_params p WHERE s.late_minutes >= 15 AND s.previous_ended IS NOT NULL`},

	// --- assistance calls ----------------------------------------------------
	{"calls plan", `CREATE TEMP TABLE gen_calls ON COMMIT DROP AS
		WITH per_shift AS (
			SELECT s.*, least(coalesce(s.ended_at, p.now), p.now - interval '2 hours') - s.started_at AS span,
				p.calls::float8 / (SELECT count(*) FROM gen_shifts) AS mean,
				(ARRAY[0.6, 1.0, 1.2, 1.2])[1 + s.k % 4] * CASE WHEN extract(isodow FROM s.nominal AT TIME ZONE 'Asia/Shanghai') >= 6 THEN 1.1 ELSE 0.96 END AS weight
			FROM gen_shifts s, gen_params p
		), drawn AS (
			SELECT ps.id AS shift_id, ps.station_id, ps.booth_id, ps.g, ps.officer_id, c,
				ps.started_at + ps.span * pg_temp.h(ps.id * 64 + c, 21) AS created_at,
				pg_temp.h(ps.id * 64 + c, 22) AS r1, pg_temp.h(ps.id * 64 + c, 23) AS r2, pg_temp.h(ps.id * 64 + c, 24) AS r3
			FROM per_shift ps, generate_series(1, CASE WHEN ps.span < interval '10 minutes' THEN 0
				ELSE floor(ps.mean * ps.weight + pg_temp.h(ps.id, 20))::int END) c
		)
		SELECT p.call_base + row_number() OVER (ORDER BY d.created_at, d.shift_id, d.c) AS id, d.*,
			p.user_base + (SELECT count(*) FROM gen_staff) + 1 + d.g
				+ nb.n * floor(pg_temp.h(d.shift_id * 64 + d.c, 25) * ((p.residents - 1 - d.g) / nb.n + 1))::bigint AS caller_id,
			d.r1 < 0.05 AS cancelled,
			CASE WHEN d.r2 < 0.1 THEN 31 + 60 * d.r3 ELSE 5 + 23 * d.r3 END AS ack_seconds,
			CASE WHEN d.r1 < 0.05 THEN 20 + 100 * d.r3 ELSE 600 + 3000 * d.r2 END AS close_seconds,
			(ARRAY['crime','crime','crime','medical','medical','medical','medical','lost_person','lost_person','domestic','domestic',
				'traffic','traffic','traffic','other','other','other'])[1 + floor(17 * pg_temp.h(d.shift_id * 64 + d.c, 26))::int] AS category,
			pg_temp.h(d.shift_id * 64 + d.c, 27) < 0.04 AS silent,
			pg_temp.h(d.shift_id * 64 + d.c, 28) < 0.33 AS messages
		FROM drawn d, gen_params p, LATERAL (SELECT count(*) AS n FROM gen_booths) nb`},
	{"calls", `INSERT INTO assistance_calls (id, station_id, booth_id, caller_id, category, message, silent, lat, lng, accuracy_m, location_at,
			status, acknowledged_by, acknowledged_at, closed_at, escalation_level, created_at, updated_at, calls_this_hour, repeated)
		SELECT c.id, c.station_id, c.booth_id, c.caller_id, c.category,
			CASE c.category WHEN 'crime' THEN '楼下有人撬车' WHEN 'medical' THEN '老人摔倒了，起不来' WHEN 'lost_person' THEN '孩子走丢了'
				WHEN 'domestic' THEN '邻居家里吵得很厉害' WHEN 'traffic' THEN '路口两车相撞' ELSE '需要帮助' END,
			c.silent,
			CASE WHEN kept THEN b.lat + (pg_temp.h(c.id, 29) - 0.5) * 0.01 END, CASE WHEN kept THEN b.lng + (pg_temp.h(c.id, 30) - 0.5) * 0.01 END,
			CASE WHEN kept THEN 5 + floor(40 * pg_temp.h(c.id, 31)) END, CASE WHEN kept THEN c.created_at END,
			CASE WHEN c.cancelled THEN 'cancelled' ELSE 'resolved' END,
			CASE WHEN NOT c.cancelled THEN c.officer_id END,
			CASE WHEN NOT c.cancelled THEN c.created_at + make_interval(secs => c.ack_seconds) END,
			c.created_at + make_interval(secs => c.close_seconds),
			CASE WHEN NOT c.cancelled AND c.ack_seconds > 30 THEN 1 ELSE 0 END,
			c.created_at, c.created_at + make_interval(secs => c.close_seconds), 1, false
		FROM gen_calls c JOIN booths b ON b.id = c.booth_id CROSS JOIN gen_params p,
			-- a location is cleared once the call has been closed longer than the retention
			LATERAL (SELECT c.created_at + make_interval(secs => c.close_seconds) >= p.now - make_interval(days => p.location_days) AS kept) k`},
	{"call steps plan", `CREATE TEMP TABLE gen_call_steps ON COMMIT DROP AS
		SELECT c.id AS call_id, c.station_id, c.booth_id, c.caller_id, c.shift_id, st.*
		FROM gen_calls c, LATERAL (VALUES
			(1, c.created_at, c.caller_id, 'status', '', 'open', ''),
			(2, CASE WHEN NOT c.cancelled AND c.ack_seconds > 30 THEN c.created_at + interval '30 seconds' END, NULL::bigint, 'escalation', '', '', '1'),
			(3, CASE WHEN c.messages THEN c.created_at + interval '10 seconds' END, c.caller_id, 'message', '', '', ''),
			(4, CASE WHEN NOT c.cancelled THEN c.created_at + make_interval(secs => c.ack_seconds) END, c.officer_id, 'status', 'open', 'acknowledged', ''),
			(5, CASE WHEN NOT c.cancelled AND c.messages THEN c.created_at + make_interval(secs => c.ack_seconds + 5) END, c.officer_id, 'message', '', '', ''),
			(6, CASE WHEN NOT c.cancelled THEN c.created_at + make_interval(secs => c.ack_seconds + 60) END, c.officer_id, 'status', 'acknowledged', 'en_route', ''),
			(7, CASE WHEN NOT c.cancelled THEN c.created_at + make_interval(secs => c.ack_seconds + 240) END, c.officer_id, 'status', 'en_route', 'on_scene', ''),
			(8, c.created_at + make_interval(secs => c.close_seconds), CASE WHEN c.cancelled THEN c.caller_id ELSE c.officer_id END, 'status',
				CASE WHEN c.cancelled THEN 'open' ELSE 'on_scene' END, CASE WHEN c.cancelled THEN 'cancelled' ELSE 'resolved' END, '')
		) st(step, at, actor_id, kind, from_status, to_status, note)
		WHERE st.at IS NOT NULL`},
	{"call entries", `INSERT INTO call_entries (id, call_id, station_id, at, actor_id, kind, from_status, to_status, note)
		SELECT p.call_entry_base + row_number() OVER (ORDER BY s.at, s.call_id, s.step), s.call_id, s.station_id, s.at, s.actor_id, s.kind,
			s.from_status, s.to_status, s.note
		FROM gen_call_steps s, gen_params p`},
	{"call messages", `INSERT INTO call_messages (id, call_id, station_id, author_id, text, created_at)
		SELECT p.message_base + row_number() OVER (ORDER BY s.at, s.call_id, s.step), s.call_id, s.station_id, s.actor_id,
			CASE WHEN s.step = 3 THEN '我不方便说话，请尽快来' ELSE '收到，民警马上到' END, s.at
		FROM gen_call_steps s, gen_params p WHERE s.kind = 'message'`},

	// --- service requests ---------------------------------------------------
	{"requests plan", `CREATE TEMP TABLE gen_requests ON COMMIT DROP AS
		WITH per_shift AS (
			SELECT s.*, least(coalesce(s.ended_at, p.now), p.now - interval '5 minutes') - s.started_at AS span,
				p.requests::float8 / (SELECT count(*) FROM gen_shifts) AS mean,
				(ARRAY[0.1, 1.6, 1.8, 0.5])[1 + s.k % 4] * CASE WHEN extract(isodow FROM s.nominal AT TIME ZONE 'Asia/Shanghai') >= 6 THEN 0.643 ELSE 1.143 END AS weight
			FROM gen_shifts s, gen_params p
		), drawn AS (
			SELECT ps.id AS shift_id, ps.station_id, ps.booth_id, ps.g, ps.officer_id, ps.ended_at AS shift_end, c,
				ps.started_at + ps.span * pg_temp.h(ps.id * 256 + c, 41) AS created_at,
				pg_temp.h(ps.id * 256 + c, 42) AS r1, pg_temp.h(ps.id * 256 + c, 43) AS r2, pg_temp.h(ps.id * 256 + c, 44) AS r3
			FROM per_shift ps, generate_series(1, CASE WHEN ps.span < interval '10 minutes' THEN 0
				ELSE floor(ps.mean * ps.weight + pg_temp.h(ps.id, 40))::int END) c
		), shaped AS (
			SELECT d.*,
				CASE WHEN d.created_at > p.now - interval '3 hours' THEN
					CASE WHEN d.r1 < 0.4 THEN 'submitted' WHEN d.r1 < 0.7 THEN 'accepted' ELSE 'in_progress' END
				ELSE CASE WHEN d.r1 < 0.85 THEN 'completed' WHEN d.r1 < 0.93 THEN 'cancelled' WHEN d.r1 < 0.97 THEN 'rejected' ELSE 'completed' END
				END AS status,
				(ARRAY['household_migration','passport_renewal','id_card','residence_permit','no_criminal_record','lost_and_found','dispute','other'])
					[1 + floor(8 * d.r2)::int] AS code1,
				CASE WHEN d.r3 < 0.2 THEN (ARRAY['passport_renewal','id_card','no_criminal_record','residence_permit'])[1 + floor(4 * pg_temp.h(d.shift_id * 256 + d.c, 45))::int] END AS code2,
				CASE WHEN d.g = 0 AND pg_temp.h(d.shift_id * 256 + d.c, 46) < 0.05 THEN p.user_base + (SELECT count(*) FROM gen_staff) + 1
					ELSE p.user_base + (SELECT count(*) FROM gen_staff) + 1 + d.g
						+ nb.n * floor(pg_temp.h(d.shift_id * 256 + d.c, 47) * ((p.residents - 1 - d.g) / nb.n + 1))::bigint END AS resident_id,
				to_char(d.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS ticket_day
			FROM drawn d, gen_params p, LATERAL (SELECT count(*) AS n FROM gen_booths) nb
		)
		SELECT p.request_base + row_number() OVER (ORDER BY sh.created_at, sh.shift_id, sh.c) AS id, sh.*,
			row_number() OVER (PARTITION BY sh.booth_id, sh.ticket_day ORDER BY sh.created_at, sh.shift_id, sh.c) AS ticket_no,
			CASE sh.status
				WHEN 'completed' THEN sh.created_at + make_interval(secs => 480 + 3600 * pg_temp.h(sh.shift_id * 256 + sh.c, 48))
				WHEN 'cancelled' THEN sh.created_at + make_interval(secs => 60 + 3000 * pg_temp.h(sh.shift_id * 256 + sh.c, 48))
				WHEN 'rejected' THEN sh.created_at + make_interval(secs => 300 + 1500 * pg_temp.h(sh.shift_id * 256 + sh.c, 48))
			END AS closed_at
		FROM shaped sh, gen_params p`},
	{"requests", `INSERT INTO service_requests (id, station_id, booth_id, resident_id, ticket, ticket_day, ticket_no, status, note,
			assignee_id, target_minutes, checked, created_at, updated_at, closed_at)
		SELECT r.id, r.station_id, r.booth_id, r.resident_id, b.name || '-' || lpad(r.ticket_no::text, 3, '0'), r.ticket_day, r.ticket_no,
			r.status, CASE WHEN r.status = 'rejected' THEN '材料不全，请补齐后再来' ELSE '' END,
			CASE WHEN r.status IN ('accepted', 'in_progress', 'completed') THEN r.officer_id END,
			t1.target_minutes + coalesce(t2.target_minutes, 0), '[]', r.created_at, coalesce(r.closed_at, r.created_at), r.closed_at
		FROM gen_requests r JOIN gen_booths b ON b.id = r.booth_id JOIN service_types t1 ON t1.code = r.code1
			LEFT JOIN service_types t2 ON t2.code = NULLIF(r.code2, r.code1)`},
	{"request services", `INSERT INTO request_services (request_id, station_id, code, fields)
		SELECT r.id, r.station_id, c.code, '{}' FROM gen_requests r, LATERAL (VALUES (r.code1), (NULLIF(r.code2, r.code1))) c(code)
		WHERE c.code IS NOT NULL`},
	{"ticket counters", `INSERT INTO ticket_counters (booth_id, day, station_id, last)
		SELECT booth_id, ticket_day, station_id, max(ticket_no) FROM gen_requests GROUP BY booth_id, ticket_day, station_id`},
	{"request steps plan", `CREATE TEMP TABLE gen_request_steps ON COMMIT DROP AS
		SELECT r.id AS request_id, r.station_id, r.booth_id, r.resident_id, r.shift_id, r.status AS final_status, st.*
		FROM gen_requests r CROSS JOIN gen_params p, LATERAL (VALUES
			(1, r.created_at, r.resident_id, '', 'submitted', ''),
			(2, CASE WHEN r.status IN ('accepted', 'in_progress', 'completed') THEN r.created_at + (coalesce(r.closed_at, p.now) - r.created_at) * 0.15 END,
				r.officer_id, 'submitted', 'accepted', ''),
			(3, CASE WHEN r.status IN ('in_progress', 'completed') THEN r.created_at + (coalesce(r.closed_at, p.now) - r.created_at) * 0.3 END,
				r.officer_id, 'accepted', 'in_progress', ''),
			(4, r.closed_at, CASE WHEN r.status = 'cancelled' THEN r.resident_id ELSE r.officer_id END,
				CASE r.status WHEN 'completed' THEN 'in_progress' ELSE 'submitted' END, r.status,
				CASE WHEN r.status = 'rejected' THEN '材料不全，请补齐后再来' ELSE '' END)
		) st(step, at, actor_id, from_status, to_status, note)
		WHERE st.at IS NOT NULL`},
	{"request timelines", `INSERT INTO timeline_entries (id, request_id, station_id, at, actor_id, kind, from_status, to_status, note)
		SELECT p.timeline_base + row_number() OVER (ORDER BY s.at, s.request_id, s.step), s.request_id, s.station_id, s.at, s.actor_id,
			'status', s.from_status, s.to_status, s.note
		FROM gen_request_steps s, gen_params p`},
	{"days summarized", `INSERT INTO request_day_figures (station_id, booth_id, day, completed, completed_late)
		SELECT r.station_id, r.booth_id, to_char(r.closed_at AT TIME ZONE st.time_zone, 'YYYY-MM-DD'), count(*),
			count(*) FILTER (WHERE r.closed_at - r.created_at > make_interval(mins => r.target_minutes))
		FROM service_requests r JOIN stations st ON st.id = r.station_id CROSS JOIN gen_params p
		WHERE r.status = 'completed' AND r.closed_at IS NOT NULL
			AND r.closed_at < (date_trunc('day', p.now AT TIME ZONE st.time_zone) AT TIME ZONE st.time_zone)
		GROUP BY 1, 2, 3`},
	{"days summarized through", `INSERT INTO request_figures_through (station_id, day)
		SELECT st.id, to_char(date_trunc('day', p.now AT TIME ZONE st.time_zone) - interval '1 day', 'YYYY-MM-DD')
		FROM stations st, gen_params p
		ON CONFLICT (station_id) DO UPDATE SET day = EXCLUDED.day`},
	{"stored answers of the last day", `INSERT INTO idempotent_responses (user_id, key, method, path, status, content_type, body, created_at)
		SELECT r.resident_id, 'scale-' || r.id, 'POST', '/api/v1/service-requests', 201, 'application/json',
			convert_to(format('{"id":"%s"}', r.id), 'UTF8'), r.created_at
		FROM gen_requests r, gen_params p WHERE r.created_at > p.now - interval '23 hours'`},

	// --- the shift logs, sealed afterwards ----------------------------------
	{"shift log", `INSERT INTO shift_entries (id, shift_id, station_id, author_id, kind, text, event_name, record_id, created_at)
		SELECT p.entry_base + row_number() OVER (ORDER BY e.at, e.shift_id, e.sort), e.shift_id, e.station_id, e.author_id, e.kind, e.text,
			e.event_name, e.record_id, e.at
		FROM gen_params p, (
			SELECT shift_id, station_id, NULL::bigint AS author_id, 'call' AS kind, to_status AS text,
				CASE WHEN step = 1 THEN 'assistance.created' ELSE 'assistance.updated' END AS event_name, call_id AS record_id, at, step AS sort
			FROM gen_call_steps WHERE step IN (1, 8)
			UNION ALL
			SELECT shift_id, station_id, NULL, 'request', 'completed', 'request.updated', request_id, at, 10
			FROM gen_request_steps WHERE step = 4 AND to_status = 'completed'
			UNION ALL
			SELECT s.id, s.station_id, s.officer_id, o.kind, o.text, '', NULL, s.started_at + o.after, o.sort
			FROM gen_shifts s, (VALUES ('patrol', '巡逻：辖区正常', interval '1 hour', 20), ('note', '接待群众咨询', interval '3 hours', 21)) o(kind, text, after, sort)
			WHERE s.started_at + o.after < coalesce(s.ended_at, (SELECT now FROM gen_params))
		) e`},
	{"sign-offs", `UPDATE shifts SET signed_off_by = s.head_id, signed_off_at = s.ended_at + interval '8 hours', sign_off_note = '已阅'
		FROM gen_shifts s, gen_params p WHERE shifts.id = s.id AND s.ended_at < p.now - interval '2 days'`},
	{"audit", `INSERT INTO audit_entries (id, station_id, actor_id, action, target, detail, created_at)
		SELECT p.audit_base + row_number() OVER (ORDER BY a.at, a.shift_id, a.sort), a.station_id, a.actor_id, a.action, 'shift:' || a.shift_id, a.detail, a.at
		FROM gen_params p, (
			SELECT s.id AS shift_id, s.station_id, s.officer_id AS actor_id, 'shift.clock_in' AS action, 'booth:' || s.booth_id AS detail, s.started_at AS at, 1 AS sort
			FROM gen_shifts s
			UNION ALL
			SELECT s.id, s.station_id, s.officer_id, 'shift.clock_out', '', s.ended_at, 2 FROM gen_shifts s WHERE s.ended_at IS NOT NULL
			UNION ALL
			SELECT s.id, s.station_id, s.head_id, 'shift.sign_off', '', s.ended_at + interval '8 hours', 3
			FROM gen_shifts s, gen_params q WHERE s.ended_at < q.now - interval '2 days'
		) a`},

	// --- the events of the replay window -------------------------------------
	{"events", `INSERT INTO events (id, station_id, owner_id, name, record_id, payload, created_at, booth_id)
		SELECT p.event_base + row_number() OVER (ORDER BY e.at, e.record_id, e.step), e.station_id, e.owner_id, e.name, e.record_id, e.payload, e.at, e.booth_id
		FROM gen_params p, (
			SELECT station_id, resident_id AS owner_id, CASE WHEN step = 1 THEN 'request.created' ELSE 'request.updated' END AS name,
				request_id AS record_id, json_build_object('id', request_id::text, 'status', to_status, 'booth_id', booth_id::text)::text AS payload,
				at, booth_id, step
			FROM gen_request_steps
			UNION ALL
			SELECT station_id, caller_id, CASE WHEN step = 1 THEN 'assistance.created' ELSE 'assistance.updated' END, call_id,
				json_build_object('id', call_id::text, 'status', to_status)::text, at, booth_id, step
			FROM gen_call_steps WHERE kind = 'status'
		) e
		WHERE e.at >= p.now - p.replay`},

	// --- notices, announced when they started --------------------------------
	{"notices", `INSERT INTO notices (id, station_id, author_id, title, body, kind, severity, urgent, public, language, starts_at, expires_at,
			version, announced_at, created_at, updated_at)
		SELECT p.notice_base + row_number() OVER (ORDER BY n.starts_at, s.n), s.id, h.head_id,
			format('%s第%s期', (ARRAY['防诈骗提醒','安全提示','办事须知','寻人启事'])[1 + n.i % 4], n.i + 1),
			'请广大居民提高警惕，如遇可疑情况请及时拨打110或到警务亭反映。',
			(ARRAY['anti_fraud','safety','service','missing_person'])[1 + n.i % 4], 'moderate', false, true, 'zh-CN',
			n.starts_at, n.starts_at + interval '7 days', 1, n.starts_at, n.starts_at, n.starts_at
		FROM gen_params p, gen_stations s JOIN gen_heads h ON h.station_id = s.id,
			LATERAL (SELECT i, p.t0 + (i * p.days / p.notices) * interval '1 day' + interval '9 hours' + s.n * interval '1 minute' AS starts_at
				FROM generate_series(0, p.notices - 1) i) n
		WHERE n.starts_at < p.now`},
	{"notice revisions", `INSERT INTO notice_revisions (id, notice_id, station_id, version, msg_type, actor_id, at)
		SELECT p.revision_base + row_number() OVER (ORDER BY nt.id), nt.id, nt.station_id, 1, 'Alert', nt.author_id, nt.created_at
		FROM notices nt, gen_params p WHERE nt.id > p.notice_base`},
}

// demoScaleSequences are the tables whose ids the generator chose.
var demoScaleSequences = []string{"stations", "booths", "users", "shifts", "shift_entries", "coverage_gaps", "assistance_calls",
	"call_entries", "call_messages", "service_requests", "timeline_entries", "events", "audit_entries", "notices", "notice_revisions"}
