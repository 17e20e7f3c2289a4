# wordcount: C++, static. Any compiler that can make a static executable works.
# Included before the Makefile's "all": keep "all" the default goal.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := all
endif
FN_EXTRA += functions/wordcount/wordcount
functions/wordcount/wordcount: functions/wordcount/main.cc
	$(CXX) -std=c++17 -O2 -Wall -Wextra -Werror -static -o $@ $<
