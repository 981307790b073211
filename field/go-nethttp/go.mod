module ronfield/go-nethttp

go 1.22
