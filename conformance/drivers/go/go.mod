module ronkit/driver

go 1.22
