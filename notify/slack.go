package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/argoproj/notifications-engine/pkg/services"
	"github.com/slack-go/slack"
	"sigs.k8s.io/yaml"
)

// slackSender posts with chat.postMessage, as the engine's slack service
// does, but under a context. Threads (groupingKey) are not kept.
type slackSender struct {
	opts   services.SlackOptions
	client *slack.Client
}

func newSlackSender(raw []byte) (*slackSender, error) {
	var opts services.SlackOptions
	if err := yaml.Unmarshal(raw, &opts); err != nil {
		return nil, err
	}
	if opts.Token == "" {
		return nil, fmt.Errorf("token is required")
	}
	apiURL := slack.APIURL
	if opts.ApiURL != "" {
		apiURL = strings.TrimRight(opts.ApiURL, "/") + "/"
	}
	hc := &http.Client{Transport: newTransport(opts.InsecureSkipVerify)}
	return &slackSender{opts: opts, client: slack.New(opts.Token, slack.OptionHTTPClient(hc), slack.OptionAPIURL(apiURL))}, nil
}

func (s *slackSender) send(ctx context.Context, n services.Notification, dest services.Destination) error {
	msg, err := s.message(n)
	if err != nil {
		return err
	}
	if _, _, err := s.client.PostMessageContext(ctx, dest.Recipient, msg...); err != nil {
		return fmt.Errorf("slack chat.postMessage to %s: %w", dest.Recipient, err)
	}
	return nil
}

var slackEmoji = regexp.MustCompile(`^:.+:$`)

// message is the chat.postMessage arguments: text, username and icon (the
// template's over the service's), attachments and blocks.
func (s *slackSender) message(n services.Notification) ([]slack.MsgOption, error) {
	msg := []slack.MsgOption{slack.MsgOptionText(n.Message, false)}
	username, icon := s.opts.Username, s.opts.Icon
	if n.Slack != nil {
		username = firstNonEmpty(n.Slack.Username, username)
		icon = firstNonEmpty(n.Slack.Icon, icon)
	}
	if username != "" {
		msg = append(msg, slack.MsgOptionUsername(username))
	}
	if slackEmoji.MatchString(icon) {
		msg = append(msg, slack.MsgOptionIconEmoji(icon))
	} else if u, err := url.Parse(icon); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		msg = append(msg, slack.MsgOptionIconURL(icon))
	}
	if n.Slack != nil {
		var attachments []slack.Attachment
		if strings.TrimSpace(n.Slack.Attachments) != "" {
			if err := json.Unmarshal([]byte(n.Slack.Attachments), &attachments); err != nil {
				return nil, fmt.Errorf("slack.attachments is not a JSON list of attachments: %w", err)
			}
		}
		var blocks slack.Blocks
		if strings.TrimSpace(n.Slack.Blocks) != "" {
			if err := json.Unmarshal([]byte(n.Slack.Blocks), &blocks); err != nil {
				return nil, fmt.Errorf("slack.blocks is not a JSON list of blocks: %w", err)
			}
		}
		msg = append(msg, slack.MsgOptionAttachments(attachments...), slack.MsgOptionBlocks(blocks.BlockSet...))
	}
	if s.opts.DisableUnfurl {
		msg = append(msg, slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl())
	}
	return msg, nil
}
