module cbridge/bench/peers/go

go 1.19
