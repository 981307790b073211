module ronfield/go-resty

go 1.23.0

require (
	github.com/go-resty/resty/v2 v2.17.2
	ronfield/go-nethttp v0.0.0
)

require golang.org/x/net v0.43.0 // indirect

replace ronfield/go-nethttp => ../go-nethttp
