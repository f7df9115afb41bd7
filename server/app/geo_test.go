package app_test

import (
	"math"
	"strings"
	"testing"

	"policebooth/server/app"
)

// near says whether two positions agree to within tol degrees.
func near(a, b app.LatLng, tol float64) bool {
	return math.Abs(a.Lat-b.Lat) <= tol && math.Abs(a.Lng-b.Lng) <= tol
}

// The reference values are the published outputs of the widely used
// converters (wandergis/coordtransform's documented example; Beijing
// railway station's GCJ-02/BD-09 pair from the R package "geoChina").
func TestWGS84ToGCJ02Reference(t *testing.T) {
	cases := []struct {
		name     string
		wgs, gcj app.LatLng
	}{
		{"Tiananmen (coordtransform README)", app.LatLng{Lat: 39.915, Lng: 116.404}, app.LatLng{Lat: 39.91640428150164, Lng: 116.41024449916938}},
	}
	for _, c := range cases {
		if got := app.WGS84ToGCJ02(c.wgs); !near(got, c.gcj, 1e-9) {
			t.Errorf("%s: WGS84ToGCJ02(%v) = %v, want %v", c.name, c.wgs, got, c.gcj)
		}
	}
	// The offset is what the issue saw: hundreds of metres in Beijing.
	wgs := app.LatLng{Lat: 39.915, Lng: 116.404}
	if d := app.DistanceM(wgs.Lat, wgs.Lng, app.WGS84ToGCJ02(wgs).Lat, app.WGS84ToGCJ02(wgs).Lng); d < 100 || d > 700 {
		t.Errorf("offset in Beijing = %.0f m, want 100–700 m", d)
	}
}

func TestGCJ02ToBD09Reference(t *testing.T) {
	cases := []struct {
		name    string
		gcj, bd app.LatLng
	}{
		{"coordtransform README", app.LatLng{Lat: 39.915, Lng: 116.404}, app.LatLng{Lat: 39.92133699351021, Lng: 116.41036949371029}},
		{"Beijing railway station", app.LatLng{Lat: 39.90245, Lng: 116.42703}, app.LatLng{Lat: 39.90851, Lng: 116.43351}},
	}
	for _, c := range cases {
		tol := 1e-9
		if c.name == "Beijing railway station" {
			tol = 1e-5 // published to five decimals
		}
		if got := app.GCJ02ToBD09(c.gcj); !near(got, c.bd, tol) {
			t.Errorf("%s: GCJ02ToBD09(%v) = %v, want %v", c.name, c.gcj, got, c.bd)
		}
	}
	wgs := app.LatLng{Lat: 39.915, Lng: 116.404}
	if got, want := app.WGS84ToBD09(wgs), app.GCJ02ToBD09(app.WGS84ToGCJ02(wgs)); got != want {
		t.Errorf("WGS84ToBD09 = %v, want the two steps' %v", got, want)
	}
}

func TestNoOffsetOutsideMainland(t *testing.T) {
	for name, p := range map[string]app.LatLng{
		"Tokyo":             {Lat: 35.6812, Lng: 139.7671},
		"Hong Kong Central": {Lat: 22.2819, Lng: 114.1582},
		"Macau":             {Lat: 22.1987, Lng: 113.5439},
		"Taipei":            {Lat: 25.0330, Lng: 121.5654},
		"Berlin":            {Lat: 52.52, Lng: 13.405},
	} {
		if got := app.WGS84ToGCJ02(p); got != p {
			t.Errorf("%s: WGS84ToGCJ02 moved %v to %v", name, p, got)
		}
		if got := app.WGS84ToBD09(p); got != p {
			t.Errorf("%s: WGS84ToBD09 moved %v to %v", name, p, got)
		}
	}
	for name, p := range map[string]app.LatLng{
		"Shenzhen Futian": {Lat: 22.5431, Lng: 114.0579},
		"Zhuhai":          {Lat: 22.2710, Lng: 113.5767},
		"Xiamen":          {Lat: 24.4798, Lng: 118.0894},
		"Urumqi":          {Lat: 43.8256, Lng: 87.6168},
	} {
		if !app.InMainlandChina(p) {
			t.Errorf("%s (%v) is in mainland China", name, p)
		}
	}
}

func TestMapLinks(t *testing.T) {
	p := app.LatLng{Lat: 39.915, Lng: 116.404}
	l := app.LinksFor(p, "呼叫 7")
	if want := "https://uri.amap.com/marker?position=116.410244,39.916404"; !strings.HasPrefix(l.AMap, want) {
		t.Errorf("AMap = %s, want it to start %s", l.AMap, want)
	}
	bd := app.WGS84ToBD09(p)
	if want := "location=39.922"; !strings.Contains(l.Baidu, want) || !strings.Contains(l.Baidu, "coord_type=bd09ll") {
		t.Errorf("Baidu = %s, want BD-09 %v", l.Baidu, bd)
	}
	if l.Geo != "geo:39.915000,116.404000" {
		t.Errorf("geo = %s", l.Geo)
	}
	tokyo := app.LinksFor(app.LatLng{Lat: 35.6812, Lng: 139.7671}, "x")
	if !strings.Contains(tokyo.AMap, "position=139.767100,35.681200") || !strings.Contains(tokyo.Baidu, "coord_type=wgs84") {
		t.Errorf("links outside China carry an offset: %+v", tokyo)
	}
}

func TestCompass(t *testing.T) {
	booth := app.LatLng{Lat: 39.9, Lng: 116.4}
	cases := []struct {
		to   app.LatLng
		want string
	}{
		{app.LatLng{Lat: 39.91, Lng: 116.4}, "n"},
		{app.LatLng{Lat: 39.9, Lng: 116.41}, "e"},
		{app.LatLng{Lat: 39.89, Lng: 116.4}, "s"},
		{app.LatLng{Lat: 39.9, Lng: 116.39}, "w"},
		{app.LatLng{Lat: 39.91, Lng: 116.413}, "ne"},
		{app.LatLng{Lat: 39.89, Lng: 116.387}, "sw"},
	}
	for _, c := range cases {
		if got := app.CompassPoint(app.BearingDeg(booth, c.to)); got != c.want {
			t.Errorf("compass to %v = %s (bearing %.1f), want %s", c.to, got, app.BearingDeg(booth, c.to), c.want)
		}
	}
	if got := app.CompassPoint(359); got != "n" {
		t.Errorf("359° = %s", got)
	}
}
