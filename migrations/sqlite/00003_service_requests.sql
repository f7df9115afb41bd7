-- +goose Up
-- The one-window counter. service_types is the default catalogue, shipped
-- here as data so later migrations can improve it; a station's changes live
-- in service_settings on top of it. documents is a JSON array of {zh,en};
-- fields a JSON array of field specs (app.FieldSpec).
CREATE TABLE service_types (
    code           TEXT PRIMARY KEY,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_zh TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    documents      TEXT NOT NULL DEFAULT '[]',
    fields         TEXT NOT NULL DEFAULT '[]',
    target_minutes INTEGER NOT NULL CHECK (target_minutes > 0),
    needs_visit    BOOLEAN NOT NULL DEFAULT 1,
    sort_order     INTEGER NOT NULL
);

-- A station's change to a default service type; NULL keeps the default.
CREATE TABLE service_settings (
    station_id     INTEGER NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    code           TEXT NOT NULL REFERENCES service_types (code) ON DELETE CASCADE,
    enabled        BOOLEAN,
    target_minutes INTEGER CHECK (target_minutes > 0),
    note_zh        TEXT,
    note_en        TEXT,
    updated_at     DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (station_id, code)
);

-- Bookable times at a booth's counter.
CREATE TABLE slots (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    booth_id   INTEGER NOT NULL REFERENCES booths (id),
    starts_at  DATETIME NOT NULL,
    ends_at    DATETIME NOT NULL,
    capacity   INTEGER NOT NULL CHECK (capacity > 0),
    CHECK (julianday(ends_at) > julianday(starts_at))
);
CREATE INDEX slots_booth_starts ON slots (booth_id, starts_at);

-- A resident's visit, bundling services. The ticket is numbered per booth
-- per local day (ticket_day in the station's zone). resident_id is cleared
-- when the resident deletes their account; the record stays for the station.
CREATE TABLE service_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    station_id     INTEGER NOT NULL REFERENCES stations (id),
    booth_id       INTEGER NOT NULL REFERENCES booths (id),
    resident_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    ticket         TEXT NOT NULL,
    ticket_day     TEXT NOT NULL,
    ticket_no      INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'in_progress', 'on_hold', 'completed', 'rejected', 'cancelled')),
    note           TEXT NOT NULL DEFAULT '',
    slot_id        INTEGER REFERENCES slots (id) ON DELETE SET NULL,
    assignee_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    target_minutes INTEGER NOT NULL,
    checked        TEXT NOT NULL DEFAULT '[]',
    newborn        TEXT,
    created_at     DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    closed_at      DATETIME,
    UNIQUE (booth_id, ticket_day, ticket_no)
);
CREATE INDEX service_requests_station ON service_requests (station_id, status, id);
CREATE INDEX service_requests_resident ON service_requests (resident_id, id) WHERE resident_id IS NOT NULL;
CREATE INDEX service_requests_assignee ON service_requests (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX service_requests_slot ON service_requests (slot_id) WHERE slot_id IS NOT NULL;

-- The services of a request with the values of their fields (a JSON object).
CREATE TABLE request_services (
    request_id INTEGER NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    code       TEXT NOT NULL REFERENCES service_types (code),
    fields     TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (request_id, code)
);
CREATE INDEX request_services_code ON request_services (code, request_id);

-- Every change to a request. from_status/to_status hold statuses, or for an
-- assignment the assignee ids, for a checklist the ticked counts.
CREATE TABLE timeline_entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  INTEGER NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    station_id  INTEGER NOT NULL REFERENCES stations (id),
    at          DATETIME NOT NULL,
    actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    kind        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX timeline_entries_request ON timeline_entries (request_id, at);

-- Document photos and PDFs of a request; the bytes are in the blob store.
-- uploader_id is a plain id: the upload outlives the uploader's account.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id   INTEGER NOT NULL REFERENCES service_requests (id) ON DELETE CASCADE,
    station_id   INTEGER NOT NULL REFERENCES stations (id),
    uploader_id  INTEGER NOT NULL,
    blob_key     TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    name         TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX attachments_request ON attachments (request_id, id);

-- The last ticket number given out at a booth on a local day.
CREATE TABLE ticket_counters (
    booth_id   INTEGER NOT NULL REFERENCES booths (id),
    day        TEXT NOT NULL,
    station_id INTEGER NOT NULL REFERENCES stations (id),
    last       INTEGER NOT NULL,
    PRIMARY KEY (booth_id, day)
);

INSERT INTO service_types (code, name_zh, name_en, description_zh, description_en, documents, fields, target_minutes, needs_visit, sort_order) VALUES
('household_migration',
 '户口迁移', 'Household registration transfer',
 '把户口迁入或迁出本辖区，例如购房落户、投靠亲属、工作调动。',
 'Move your household registration (hukou) into or out of this area, for example after buying a home, to join family, or for a new job.',
 '[{"zh":"居民户口簿","en":"Household register (hukou booklet)"},{"zh":"居民身份证","en":"Resident ID card"},{"zh":"迁入地证明：房产证、购房合同或单位接收证明","en":"Proof of the new address: property certificate, purchase contract or letter from the employer"},{"zh":"准予迁入证明（跨市、跨省迁移时需要）","en":"Permit to move in (for a move from another city or province)"}]',
 '[{"code":"from_address","kind":"text","label":{"zh":"现户籍地址","en":"Current registered address"},"required":true},{"code":"to_address","kind":"text","label":{"zh":"迁入地址","en":"New address"},"required":true},{"code":"reason","kind":"choice","label":{"zh":"迁移原因","en":"Reason for the move"},"required":true,"choices":[{"value":"purchase","label":{"zh":"购房落户","en":"Bought a home"}},{"value":"family","label":{"zh":"投靠亲属","en":"Joining family"}},{"value":"work","label":{"zh":"工作调动","en":"New job"}},{"value":"study","label":{"zh":"升学","en":"Study"}},{"value":"other","label":{"zh":"其他","en":"Other"}}]},{"code":"people","kind":"number","label":{"zh":"一同迁移的人数","en":"Number of people moving"},"required":false},{"code":"move_date","kind":"date","label":{"zh":"计划迁移日期","en":"Planned moving date"},"required":false}]',
 20, true, 10),
('passport_renewal',
 '出入境证件（护照）换发', 'Passport renewal',
 '护照快到期、签证页用完、损坏或丢失时，换发或补发护照。',
 'Renew or replace a passport that is expiring, full, damaged or lost.',
 '[{"zh":"居民身份证","en":"Resident ID card"},{"zh":"原护照（如有）","en":"Your current passport, if you have one"},{"zh":"近期免冠彩色照片（可在现场拍摄）","en":"A recent colour photo without a hat (it can be taken at the counter)"},{"zh":"国家工作人员需提供单位出具的同意意见","en":"Government employees: a letter of approval from the employer"}]',
 '[{"code":"id_card","kind":"id_card","label":{"zh":"本人身份证号码","en":"Your ID card number"},"required":true},{"code":"travel_purpose","kind":"choice","label":{"zh":"出行事由","en":"Reason for travel"},"required":true,"choices":[{"value":"tourism","label":{"zh":"旅游","en":"Tourism"}},{"value":"family","label":{"zh":"探亲访友","en":"Visiting family or friends"}},{"value":"business","label":{"zh":"商务","en":"Business"}},{"value":"study","label":{"zh":"留学","en":"Study"}},{"value":"other","label":{"zh":"其他","en":"Other"}}]},{"code":"passport_no","kind":"text","label":{"zh":"原护照号码（如有）","en":"Current passport number, if any"},"required":false}]',
 15, true, 20),
('id_card',
 '居民身份证申领、换领、补领', 'Resident ID card: first card, renewal or replacement',
 '第一次办理身份证，或身份证到期、损坏、丢失、信息变更时办理。现场采集照片和指纹。',
 'Get your first ID card, or a new one when it has expired, is damaged or lost, or your details changed. Your photo and fingerprints are taken at the counter.',
 '[{"zh":"居民户口簿","en":"Household register (hukou booklet)"},{"zh":"原居民身份证（换领时）","en":"Your old ID card (for a renewal)"},{"zh":"未满16周岁的，由监护人陪同并带上监护人身份证","en":"Under 16: come with a guardian, who brings their own ID card"}]',
 '[{"code":"reason","kind":"choice","label":{"zh":"办理原因","en":"Why you need a card"},"required":true,"choices":[{"value":"first","label":{"zh":"首次申领","en":"First card"}},{"value":"expired","label":{"zh":"有效期满换领","en":"It has expired"}},{"value":"damaged","label":{"zh":"损坏换领","en":"It is damaged"}},{"value":"lost","label":{"zh":"丢失补领","en":"It is lost"}},{"value":"changed","label":{"zh":"信息变更","en":"My details changed"}}]},{"code":"id_card","kind":"id_card","label":{"zh":"身份证号码（换领、补领时填写）","en":"ID card number (for a renewal or replacement)"},"required":false}]',
 10, true, 30),
('residence_permit',
 '居住证', 'Residence permit',
 '户籍不在本市、在本地居住满半年，并有稳定工作、住所或在读的，可以申领居住证。',
 'For people registered elsewhere who have lived here for six months or more and have a steady job, home or school place here.',
 '[{"zh":"居民身份证","en":"Resident ID card"},{"zh":"近期免冠彩色照片","en":"A recent colour photo without a hat"},{"zh":"居住证明：房产证、租房合同或住宿证明","en":"Proof of address: property certificate, tenancy agreement or a letter from your host"},{"zh":"工作或就读证明：劳动合同、营业执照或学校证明","en":"Proof of work or study: employment contract, business licence or a letter from the school"}]',
 '[{"code":"id_card","kind":"id_card","label":{"zh":"本人身份证号码","en":"Your ID card number"},"required":true},{"code":"address","kind":"text","label":{"zh":"现居住地址","en":"Address where you live"},"required":true},{"code":"living_since","kind":"date","label":{"zh":"在本地居住起始日期","en":"Living here since"},"required":true},{"code":"basis","kind":"choice","label":{"zh":"申领条件","en":"You qualify through"},"required":true,"choices":[{"value":"work","label":{"zh":"工作","en":"Work"}},{"value":"home","label":{"zh":"合法稳定住所","en":"A home here"}},{"value":"study","label":{"zh":"就读","en":"Study"}}]}]',
 15, true, 40),
('no_criminal_record',
 '无犯罪记录证明', 'Certificate of no criminal record',
 '求职、出国、入学等需要证明本人没有犯罪记录时办理。',
 'For a job, going abroad, a school place or anything else that asks for proof that you have no criminal record.',
 '[{"zh":"居民身份证","en":"Resident ID card"},{"zh":"居民户口簿或居住证","en":"Household register or residence permit"},{"zh":"用途说明：需要证明的单位或学校出具的材料","en":"What it is for: a letter from the employer or school that asks for it"},{"zh":"委托他人办理的，带上委托书和受托人身份证","en":"If someone applies for you: a signed letter of authority and their ID card"}]',
 '[{"code":"id_card","kind":"id_card","label":{"zh":"本人身份证号码","en":"Your ID card number"},"required":true},{"code":"purpose","kind":"choice","label":{"zh":"用途","en":"What it is for"},"required":true,"choices":[{"value":"job","label":{"zh":"求职","en":"A job"}},{"value":"study","label":{"zh":"入学","en":"A school place"}},{"value":"abroad","label":{"zh":"出国（境）","en":"Going abroad"}},{"value":"other","label":{"zh":"其他","en":"Other"}}]},{"code":"requested_by","kind":"text","label":{"zh":"要求提供证明的单位","en":"Who asked for it"},"required":false}]',
 10, true, 50),
('newborn_registration',
 '新生儿户口登记', 'Newborn household registration',
 '为新生儿办理出生登记，落户到父亲或母亲的户口上。办结后可在警务亭拍一张全家福。',
 'Register a baby''s birth and add the baby to a parent''s household register. When it is done, the family can have a photo taken at the booth.',
 '[{"zh":"出生医学证明","en":"Medical birth certificate"},{"zh":"父母双方的居民户口簿","en":"Both parents'' household registers"},{"zh":"父母双方的居民身份证","en":"Both parents'' ID cards"},{"zh":"结婚证","en":"Marriage certificate"}]',
 '[]',
 20, true, 60),
('lost_and_found',
 '失物招领', 'Lost and found',
 '丢了东西可以登记，领回失物，捡到的东西也可以交到警务亭。',
 'Report something you lost, collect something you lost, or hand in something you found.',
 '[{"zh":"居民身份证（领取物品时）","en":"Resident ID card (to collect an item)"},{"zh":"能证明物品是您的材料，例如购买凭证或照片","en":"Anything that shows the item is yours, such as a receipt or a photo"}]',
 '[{"code":"kind","kind":"choice","label":{"zh":"您要办理的是","en":"You want to"},"required":true,"choices":[{"value":"lost","label":{"zh":"登记丢失物品","en":"Report something lost"}},{"value":"found","label":{"zh":"上交捡到的物品","en":"Hand in something found"}},{"value":"collect","label":{"zh":"领取物品","en":"Collect an item"}}]},{"code":"item","kind":"text","label":{"zh":"物品描述（颜色、特征等）","en":"The item (colour, marks and so on)"},"required":true},{"code":"date","kind":"date","label":{"zh":"丢失或捡到的日期","en":"Date it was lost or found"},"required":false},{"code":"place","kind":"text","label":{"zh":"丢失或捡到的地点","en":"Where it was lost or found"},"required":false}]',
 10, false, 70),
('dispute',
 '邻里纠纷调解与投诉', 'Neighbour dispute or complaint',
 '噪音、漏水、停车、宠物等邻里矛盾的调解，或对身边问题的投诉和建议。',
 'Help settling noise, leaks, parking, pets and other problems with neighbours, or a complaint or suggestion about your area.',
 '[{"zh":"居民身份证","en":"Resident ID card"},{"zh":"相关照片、视频或其他材料（如有）","en":"Photos, videos or other evidence, if you have any"}]',
 '[{"code":"category","kind":"choice","label":{"zh":"问题类型","en":"What it is about"},"required":true,"choices":[{"value":"noise","label":{"zh":"噪音","en":"Noise"}},{"value":"parking","label":{"zh":"停车","en":"Parking"}},{"value":"leak","label":{"zh":"漏水","en":"A leak"}},{"value":"pets","label":{"zh":"宠物","en":"Pets"}},{"value":"other","label":{"zh":"其他","en":"Other"}}]},{"code":"place","kind":"text","label":{"zh":"发生地点","en":"Where it happens"},"required":true},{"code":"details","kind":"text","label":{"zh":"情况说明","en":"What happened"},"required":true}]',
 30, false, 80),
('other',
 '其他事项', 'Something else',
 '上面没有列出的事项。请简单写明要办什么，民警会与您联系。',
 'Anything not listed above. Say briefly what you need and an officer will get back to you.',
 '[{"zh":"居民身份证","en":"Resident ID card"}]',
 '[{"code":"subject","kind":"text","label":{"zh":"要办的事","en":"What you need"},"required":true}]',
 15, true, 90);

-- +goose Down
DROP TABLE ticket_counters;
DROP TABLE attachments;
DROP TABLE timeline_entries;
DROP TABLE request_services;
DROP TABLE service_requests;
DROP TABLE slots;
DROP TABLE service_settings;
DROP TABLE service_types;
