package examples

import "testing"

func TestThread(t *testing.T) {
	th := Thread(t, "huawei-europe.txt")
	if th.Title == "" || len(th.Comments) < 40 {
		t.Errorf("the example thread reads as %q with %d comments", th.Title, len(th.Comments))
	}
}
