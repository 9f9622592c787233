package gitlab

// The webhook payloads, reduced to the fields gitwave reads. client-go's
// event types leave out user.bot, which gitwave needs, so they are declared
// here.

type hookUser struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Bot      bool   `json:"bot"`
}

type hookProject struct {
	PathWithNamespace string `json:"path_with_namespace"`
}

type hookCommit struct {
	ID string `json:"id"`
}

type hookMergeRequest struct {
	IID            int        `json:"iid"`
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	State          string     `json:"state"`
	Action         string     `json:"action"`
	SourceBranch   string     `json:"source_branch"`
	TargetBranch   string     `json:"target_branch"`
	URL            string     `json:"url"`
	AuthorID       int64      `json:"author_id"`
	LastCommit     hookCommit `json:"last_commit"`
	MergeCommitSHA string     `json:"merge_commit_sha"`
	OldRev         string     `json:"oldrev"`
}

type mergeRequestHook struct {
	User             hookUser         `json:"user"`
	Project          hookProject      `json:"project"`
	ObjectAttributes hookMergeRequest `json:"object_attributes"`
}

type pushHook struct {
	Ref          string      `json:"ref"`
	Before       string      `json:"before"`
	After        string      `json:"after"`
	UserUsername string      `json:"user_username"`
	Project      hookProject `json:"project"`
}

type hookNote struct {
	ID           int64  `json:"id"`
	Note         string `json:"note"`
	NoteableType string `json:"noteable_type"`
	System       bool   `json:"system"`
	Action       string `json:"action"`
}

type noteHook struct {
	User             hookUser          `json:"user"`
	Project          hookProject       `json:"project"`
	ObjectAttributes hookNote          `json:"object_attributes"`
	MergeRequest     *hookMergeRequest `json:"merge_request"`
}
