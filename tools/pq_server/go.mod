module ron-kit/tools/pq_server

go 1.25
