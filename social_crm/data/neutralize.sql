-- Staging copies must not pull from, or post to, the brand's real accounts.
UPDATE social_crm_account
   SET token = NULL,
       secret = NULL,
       refresh_token = NULL,
       cursor = NULL,
       state = 'draft',
       last_error = 'Neutralized database: credentials were removed.';
UPDATE social_crm_oauth_app
   SET client_secret = NULL;
UPDATE ir_cron
   SET active = false
 WHERE id IN (SELECT res_id FROM ir_model_data
               WHERE module = 'social_crm' AND model = 'ir.cron');
