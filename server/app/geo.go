package app

import (
	"fmt"
	"math"
	"net/url"
)

// Chinese maps do not draw in WGS-84, the datum a phone's GPS gives: AMap
// and Tencent use GCJ-02 (国测局坐标, a deliberate non-linear offset of
// WGS-84 inside mainland China), Baidu uses BD-09 (a further shift of
// GCJ-02). A WGS-84 position handed to them lands 100–700 m off, so a
// caller's position is converted before it goes into their links. The
// formulas are the public ones every map SDK's converter reproduces
// (Krasovsky ellipsoid, semi-major axis 6378245 m).

const (
	gcjA  = 6378245.0                // semi-major axis of the Krasovsky 1940 ellipsoid
	gcjEE = 0.00669342162296594323   // its first eccentricity squared
	bdXPi = math.Pi * 3000.0 / 180.0 // Baidu's extra rotation constant
)

// LatLng is a position in degrees.
type LatLng struct {
	Lat, Lng float64
}

// box is a latitude/longitude rectangle.
type box struct{ minLat, minLng, maxLat, maxLng float64 }

func (b box) has(p LatLng) bool {
	return p.Lat >= b.minLat && p.Lat <= b.maxLat && p.Lng >= b.minLng && p.Lng <= b.maxLng
}

// chinaBox holds mainland China; notMainland are the parts of it whose
// maps use no offset: Taiwan (main island, Penghu), Hong Kong and Macau.
// The rectangles are coarse near the borders (a few hundred metres), where
// the mistake is an offset of the same size.
var (
	chinaBox    = box{0.8293, 72.004, 55.8271, 137.8347}
	notMainland = []box{
		{21.8, 119.9, 25.4, 122.1},      // Taiwan
		{23.1, 119.3, 23.9, 119.8},      // Penghu
		{22.13, 113.82, 22.43, 114.45},  // Hong Kong: islands, Kowloon, the south of the New Territories
		{22.43, 113.98, 22.505, 114.45}, // Hong Kong: the north of the New Territories
		{22.10, 113.52, 22.215, 113.6},  // Macau
	}
)

// InMainlandChina reports whether a position is one Chinese maps offset.
func InMainlandChina(p LatLng) bool {
	if !chinaBox.has(p) {
		return false
	}
	for _, b := range notMainland {
		if b.has(p) {
			return false
		}
	}
	return true
}

// WGS84ToGCJ02 converts a GPS position to the datum of AMap and Tencent
// maps. Outside mainland China it returns the position unchanged.
func WGS84ToGCJ02(p LatLng) LatLng {
	if !InMainlandChina(p) {
		return p
	}
	x, y := p.Lng-105.0, p.Lat-35.0
	dLat := gcjLat(x, y)
	dLng := gcjLng(x, y)
	radLat := p.Lat / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEE*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjA * (1 - gcjEE)) / (magic * sqrtMagic) * math.Pi)
	dLng = (dLng * 180.0) / (gcjA / sqrtMagic * math.Cos(radLat) * math.Pi)
	return LatLng{Lat: p.Lat + dLat, Lng: p.Lng + dLng}
}

func gcjLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func gcjLng(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// GCJ02ToBD09 converts a GCJ-02 position to Baidu's datum. It applies
// everywhere: Baidu's maps shift every GCJ-02 position they are given.
func GCJ02ToBD09(p LatLng) LatLng {
	x, y := p.Lng, p.Lat
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdXPi)
	return LatLng{Lat: z*math.Sin(theta) + 0.006, Lng: z*math.Cos(theta) + 0.0065}
}

// WGS84ToBD09 converts a GPS position to Baidu's datum. Outside mainland
// China it returns the position unchanged, and Baidu's link says so.
func WGS84ToBD09(p LatLng) LatLng {
	if !InMainlandChina(p) {
		return p
	}
	return GCJ02ToBD09(WGS84ToGCJ02(p))
}

// MapLinks are the links that open a position in the map apps people in
// China use, each in the datum that app draws in.
type MapLinks struct {
	AMap  string `json:"amap"`  // AMap (高德), GCJ-02
	Baidu string `json:"baidu"` // Baidu Maps (百度), BD-09 (WGS-84 outside mainland China)
	Geo   string `json:"geo"`   // geo: URI (RFC 5870), WGS-84, for every other app
}

// LinksFor returns the map links of a WGS-84 position; label names the
// marker in the apps that show one.
func LinksFor(p LatLng, label string) MapLinks {
	g := WGS84ToGCJ02(p)
	out := MapLinks{
		AMap: fmt.Sprintf("https://uri.amap.com/marker?position=%.6f,%.6f&coordinate=gaode", g.Lng, g.Lat),
		Geo:  fmt.Sprintf("geo:%.6f,%.6f", p.Lat, p.Lng),
	}
	coord := "wgs84"
	b := p
	if InMainlandChina(p) {
		b, coord = WGS84ToBD09(p), "bd09ll"
	}
	out.Baidu = fmt.Sprintf("https://api.map.baidu.com/marker?location=%.6f,%.6f&title=%s&content=%s&coord_type=%s&output=html&src=webapp.policebooth",
		b.Lat, b.Lng, url.QueryEscape(label), url.QueryEscape(label), coord)
	return out
}

// BearingDeg is the initial compass bearing from one position to another,
// 0–360 degrees clockwise from north.
func BearingDeg(from, to LatLng) float64 {
	rad := math.Pi / 180
	φ1, φ2 := from.Lat*rad, to.Lat*rad
	Δλ := (to.Lng - from.Lng) * rad
	y := math.Sin(Δλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(Δλ)
	return math.Mod(math.Atan2(y, x)/rad+360, 360)
}

// CompassPoints are the eight points of the compass, clockwise from north,
// as the message ids of their names end.
var CompassPoints = []string{"n", "ne", "e", "se", "s", "sw", "w", "nw"}

// CompassPoint names the eighth of the compass a bearing falls in.
func CompassPoint(bearing float64) string {
	i := int(math.Floor(math.Mod(bearing+22.5, 360) / 45))
	return CompassPoints[i%8]
}
